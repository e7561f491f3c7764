import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { QueryCache, QueryCacheError } from './query-cache.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'arpo-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => mkdtempSync(join(root, `t${n++}-`));
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('QueryCache', () => {
  it('keeps values in memory and writes them as a JSON object on flush', async () => {
    const dir = freshDir();
    const path = join(dir, 'sub', 'cache.json');
    const cache = new QueryCache(path, { flushDelayMs: null });
    expect(cache.get('q')).toBeUndefined();
    cache.set('q', 'Page 1: a');
    cache.set('__proto__', 'odd key');
    expect(cache.get('q')).toBe('Page 1: a');
    expect(cache.pendingCount).toBe(2);
    await cache.flush();
    expect(cache.pendingCount).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('{"q":"Page 1: a","__proto__":"odd key"}');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['cache.json']); // no temp or lock file left
    const reopened = new QueryCache(path);
    expect(reopened.get('q')).toBe('Page 1: a');
    expect(reopened.get('__proto__')).toBe('odd key');
    expect(reopened.size).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, writes: 1 });
  });

  it('reads the reference search_cache.json format', () => {
    const path = join(freshDir(), 'search_cache.json');
    writeFileSync(path, JSON.stringify({ 'capital of France': 'Page 1: Paris is the capital of France.' }, null, 2));
    expect(new QueryCache(path).get('capital of France')).toBe('Page 1: Paris is the capital of France.');
  });

  it('merges with what another writer flushed meanwhile, and reloads changed files', async () => {
    const path = join(freshDir(), 'cache.json');
    const a = new QueryCache(path, { flushDelayMs: null, reloadIntervalMs: 60_000 });
    const b = new QueryCache(path, { flushDelayMs: null, reloadIntervalMs: 0 });
    a.set('a', '1');
    b.set('b', '2');
    await a.flush();
    expect(b.get('a')).toBe('1'); // reloadIntervalMs 0: every read checks the file
    await b.flush();
    expect(readJson(path)).toEqual({ a: '1', b: '2' });
    expect(a.get('b')).toBeUndefined(); // not checked again within 60 s
    a.reload();
    expect(a.get('b')).toBe('2');
    expect(a.stats.reloads).toBe(1);
  });

  it('keeps a pending value over an older value on disk', async () => {
    const path = join(freshDir(), 'cache.json');
    const a = new QueryCache(path, { flushDelayMs: null, reloadIntervalMs: 0 });
    const b = new QueryCache(path, { flushDelayMs: null, reloadIntervalMs: 0 });
    a.set('k', 'old');
    await a.flush();
    b.set('k', 'new');
    expect(b.get('k')).toBe('new');
    await b.flush();
    expect(readJson(path)).toEqual({ k: 'new' });
    expect(a.get('k')).toBe('new');
  });

  it('flushes automatically after flushDelayMs, and synchronously with flushSync', async () => {
    const path = join(freshDir(), 'cache.json');
    const cache = new QueryCache(path, { flushDelayMs: 10 });
    cache.set('auto', 'yes');
    await new Promise((done) => setTimeout(done, 100));
    expect(readJson(path)).toEqual({ auto: 'yes' });
    const manual = new QueryCache(path, { flushDelayMs: null });
    manual.set('sync', 'yes');
    manual.flushSync();
    expect(readJson(path)).toEqual({ auto: 'yes', sync: 'yes' });
  });

  it('removes a stale lock file and waits for a fresh one, then times out', async () => {
    const path = join(freshDir(), 'cache.json');
    const cache = new QueryCache(path, { flushDelayMs: null, lockTimeoutMs: 150, staleLockMs: 5_000 });
    writeFileSync(cache.lockPath, '12345 crashed\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(cache.lockPath, old, old);
    cache.set('a', '1');
    await cache.flush();
    expect(cache.stats.staleLocksRemoved).toBe(1);
    expect(readJson(path)).toEqual({ a: '1' });

    writeFileSync(cache.lockPath, '12345 busy\n');
    cache.set('b', '2');
    const started = Date.now();
    await expect(cache.flush()).rejects.toThrow(QueryCacheError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(cache.flush()).rejects.toThrow(/^Timed out after 150 ms waiting for the cache lock .*cache\.json\.lock/);
    expect(cache.pendingCount).toBe(1);
    expect(cache.stats.lockWaits).toBeGreaterThan(2);
    rmSync(cache.lockPath);
    await cache.flush();
    expect(readJson(path)).toEqual({ a: '1', b: '2' });
  });

  it('refuses a file that is not a JSON object, and leaves it untouched', async () => {
    const dir = freshDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"a": ');
    expect(() => new QueryCache(bad)).toThrow(/^Cache file .*bad\.json is not valid JSON: /);
    const list = join(dir, 'list.json');
    writeFileSync(list, '["a"]');
    expect(() => new QueryCache(list)).toThrow(`Cache file ${list} must hold a JSON object { "key": value }.`);

    const path = join(dir, 'cache.json');
    const cache = new QueryCache(path, { flushDelayMs: null });
    writeFileSync(path, 'garbage');
    cache.set('a', '1');
    await expect(cache.flush()).rejects.toThrow(/is not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('garbage');
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'cache.json', 'list.json']);
  });

  it('loses no key when two processes write the same file at once', async () => {
    const dir = freshDir();
    const bundle = join(dir, 'query-cache.mjs');
    buildSync({
      entryPoints: [join(here, 'query-cache.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      logLevel: 'silent',
    });
    const path = join(dir, 'shared.json');
    const fixture = join(here, 'fixtures', 'cache-writer.mjs');
    const startAt = String(Date.now() + 400);
    const run = (prefix: string) =>
      new Promise<{ code: number | null; out: string; err: string }>((done) => {
        const child = spawn(process.execPath, [fixture, bundle, path, prefix, '200', startAt]);
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('close', (code) => done({ code, out, err }));
      });
    const results = await Promise.all([run('A'), run('B')]);
    for (const result of results) {
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
    }
    const data = readJson(path);
    expect(Object.keys(data)).toHaveLength(400);
    for (let i = 0; i < 200; i++) {
      expect(data[`A-${i}`]).toBe(`Page 1: value A ${i}`);
      expect(data[`B-${i}`]).toBe(`Page 1: value B ${i}`);
    }
    expect(readdirSync(dir).sort()).toEqual(['query-cache.mjs', 'shared.json']);
    const stats = results.map((r) => (JSON.parse(r.out) as { stats: { lockWaits: number; writes: number } }).stats);
    expect(stats.every((s) => s.writes >= 150)).toBe(true);
  }, 20_000);
});
