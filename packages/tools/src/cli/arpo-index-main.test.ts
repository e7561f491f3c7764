import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smallCorpusJsonl } from '../search/fixtures/small-corpus.js';
import { openMiniSearchIndex } from '../search/minisearch-index.js';
import { openSqliteIndex } from '../search/sqlite-index.js';
import { ARPO_INDEX_USAGE, formatBytes, formatDuration, runArpoIndex } from './arpo-index-main.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-index-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = join(dir, 'corpus.jsonl');
writeFileSync(corpus, smallCorpusJsonl());

/** Runs the command with captured output; `tty` makes stderr look like a terminal. */
async function run(argv: string[], options: { tty?: boolean; now?: () => number } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runArpoIndex(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    ...(options.now ? { now: options.now } : {}),
  });
  return { code, stdout, stderr };
}

describe('arpo-index', () => {
  it('builds a SQLite index with a progress bar and prints a summary', async () => {
    const out = join(dir, 'index.sqlite');
    const { code, stdout, stderr } = await run([corpus, out], { tty: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Indexed 12 documents into .*index\.sqlite \(sqlite\) in \d+\.\d\d s, \d+\.\d KiB\n$/);
    expect(stderr).toMatch(/^\r\[#{24}\] 100% {2}12 docs {2}[\d,]+ docs\/s {2}done in \d+\.\ds\n$/);
    const index = openSqliteIndex(out);
    expect((await index.search('cuisine', 10)).map((h) => h.id)).toEqual(['cuisine', 'lyon']);
    index.close();
  });

  it('builds a MiniSearch index with --backend minisearch, silently with --quiet', async () => {
    const out = join(dir, 'index.json');
    const { code, stdout, stderr } = await run([corpus, out, '--backend', 'minisearch', '--quiet']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Indexed 12 documents into .*index\.json \(minisearch\) in \d+\.\d\d s, \d+\.\d KiB\n$/);
    expect((await (await openMiniSearchIndex(out)).search('cuisine', 1))[0]?.id).toBe('cuisine');
  });

  it('shows docs/s and an ETA while building (terminal: one \\r-updated line)', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ id: `d${i}`, title: `Title ${i}`, text: `body text number ${i}` }),
    );
    const big = join(dir, 'big.jsonl');
    writeFileSync(big, `${lines.join('\n')}\n`);
    let clock = 0;
    const now = () => (clock += 400); // every reading of the clock advances 0.4 s
    const { code, stderr } = await run([big, join(dir, 'big.sqlite')], { tty: true, now });
    expect(code).toBe(0);
    const updates = stderr.split('\r').filter(Boolean);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates[0]).toMatch(/^\[#*-+\] +\d+% {2}1,000 docs {2}[\d,]+ docs\/s {2}ETA \d+s$/);
    expect(updates.at(-1)).toMatch(/^\[#{24}\] 100% {2}3,000 docs {2}[\d,]+ docs\/s {2}done in \d+\.\ds\n$/);
    expect(stderr.includes('\n')).toBe(true);
    expect(stderr.indexOf('\n')).toBe(stderr.length - 1);
  });

  it('writes plain lines instead of \\r updates when stderr is not a terminal', async () => {
    const { code, stderr } = await run([corpus, join(dir, 'plain.sqlite')]);
    expect(code).toBe(0);
    expect(stderr).not.toContain('\r');
    expect(stderr).toMatch(/^\[#{24}\] 100% {2}12 docs .*\n$/);
  });

  it('exits 1 naming the corpus line of a bad document, and writes no index', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","title":"A","text":"x"}\n\n{"id":"b","title":"B"}\n');
    const out = join(dir, 'bad-out', 'index.sqlite');
    const { code, stdout, stderr } = await run([bad, out, '--quiet']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('arpo-index: Invalid corpus line 3 of bad.jsonl: text = undefined (missing) (expected a string)\n');
    expect(readdirSync(join(dir, 'bad-out'))).toEqual([]);
  });

  it('names both lines of a duplicate id (minisearch backend)', async () => {
    const bad = join(dir, 'dup.jsonl');
    writeFileSync(bad, '{"id":"a","text":"x"}\n{"id":"a","text":"y"}\n');
    const { code, stderr } = await run([bad, join(dir, 'dup.json'), '--backend', 'minisearch'], { tty: true });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'arpo-index: Invalid corpus line 2 of dup.jsonl: id = "a" (expected a unique id ("a" is already used by line 1))\n',
    );
    expect(existsSync(join(dir, 'dup.json'))).toBe(false);
  });

  it('exits 1 for a missing corpus file', async () => {
    const { code, stderr } = await run([join(dir, 'nope.jsonl'), join(dir, 'x.sqlite')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`arpo-index: corpus file not found: ${join(dir, 'nope.jsonl')}\n`);
  });

  it('exits 2 with the usage for bad arguments', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`arpo-index: expected 2 arguments <corpus.jsonl> <out>, got 0\n\n${ARPO_INDEX_USAGE}`);
    const backend = await run([corpus, 'x', '--backend', 'lucene']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toBe('arpo-index: --backend must be sqlite or minisearch, got "lucene"\n');
    const unknown = await run([corpus, 'x', '--fast']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^arpo-index: Unknown option '--fast'/);
    const help = await run(['--help']);
    expect(help).toEqual({ code: 0, stdout: ARPO_INDEX_USAGE, stderr: '' });
  });

  it('formats sizes and durations', () => {
    expect([formatBytes(512), formatBytes(24_576), formatBytes(14_575_616), formatBytes(1.5 * 1024 ** 3)]).toEqual([
      '512 B',
      '24.0 KiB',
      '13.9 MiB',
      '1.50 GiB',
    ]);
    expect([formatDuration(0.4), formatDuration(42), formatDuration(185), formatDuration(3720)]).toEqual([
      '0s',
      '42s',
      '3m05s',
      '1h02m',
    ]);
  });
});
