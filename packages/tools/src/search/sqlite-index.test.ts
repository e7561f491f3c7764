import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import type { CorpusDoc } from './corpus.js';
import { SMALL_CORPUS, smallCorpusJsonl } from './fixtures/small-corpus.js';
import { buildSqliteIndex, openSqliteIndex, toFtsQuery, type SqliteSearchBackend } from './sqlite-index.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-sqlite-'));
const corpusPath = join(dir, 'corpus.jsonl');
const indexPath = join(dir, 'index.sqlite');
let index: SqliteSearchBackend;

beforeAll(async () => {
  writeFileSync(corpusPath, smallCorpusJsonl());
  const stats = await buildSqliteIndex(corpusPath, indexPath);
  expect(stats).toMatchObject({ backend: 'sqlite', path: indexPath, docs: 12 });
  index = openSqliteIndex(indexPath);
});
afterAll(() => {
  index.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async (query: string, topK = 10): Promise<string[]> =>
  (await index.search(query, topK)).map((hit) => hit.id);

describe('toFtsQuery', () => {
  it('quotes each word token and joins with OR', () => {
    expect(toFtsQuery('capital of "France"*')).toBe('"capital" OR "of" OR "France"');
    expect(toFtsQuery('NEAR(a b) AND title:c -d ^e')).toBe('"NEAR" OR "a" OR "b" OR "AND" OR "title" OR "c" OR "d" OR "e"');
    expect(toFtsQuery('São Paulo, 東京')).toBe('"São" OR "Paulo" OR "東京"');
  });

  it('drops duplicate words (case-insensitively) and returns undefined when no word is left', () => {
    expect(toFtsQuery('Paris paris PARIS')).toBe('"Paris"');
    expect(toFtsQuery(' "*():-^ ')).toBeUndefined();
    expect(toFtsQuery('')).toBeUndefined();
  });

  it('keeps at most 64 distinct words', () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    expect(toFtsQuery(words)!.split(' OR ')).toHaveLength(64);
  });
});

describe('SQLite FTS5 index', () => {
  it('ranks a title match above a body match thanks to the title weight of 2', async () => {
    expect(await ids('cuisine')).toEqual(['cuisine', 'lyon']);
    // Without the weight the body match would win: the weight is what decides.
    const db = new Database(indexPath, { readonly: true });
    const unweighted = db
      .prepare<[string], { id: string }>('SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 1, 1)')
      .all('"cuisine"')
      .map((row) => row.id);
    db.close();
    expect(unweighted).toEqual(['lyon', 'cuisine']);
  });

  it('stems with Porter: "cities" matches "city" and "city" matches "cities"', async () => {
    expect(await ids('cities')).toEqual(['cities', 'paris']);
    expect(await ids('city')).toEqual(['cities', 'paris']);
  });

  it('ranks multi-word queries with OR semantics', async () => {
    expect(await ids('capital of France')).toEqual(['france', 'paris', 'tokyo', 'cuisine', 'cities', 'quantum']);
    expect(await ids('capital of France', 2)).toEqual(['france', 'paris']);
    expect(await ids('mountain')).toEqual(['everest']);
  });

  it('returns hits with id, title, verbatim text and a positive score, best first', async () => {
    const hits = await index.search('Paris', 10);
    expect(hits.map((h) => [h.id, h.title, h.text])).toEqual([
      ['paris', 'Paris', 'Paris is the capital and largest city of France.'],
      ['france', 'France', 'France is a country in Western Europe. Its capital is Paris.'],
    ]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThan(0);
  });

  it('handles non-ASCII queries, with and without diacritics', async () => {
    expect(await ids('Zürich')).toEqual(['zurich']);
    expect(await ids('Zurich')).toEqual(['zurich']);
    expect(await ids('東京')).toEqual(['tokyo']);
    expect(await ids('São Paulo')).toEqual(['saopaulo']);
    expect(await ids('sao paulo')).toEqual(['saopaulo']);
  });

  it('never throws on FTS5 syntax in queries', async () => {
    const nasty = [
      '"',
      '"unbalanced quote',
      'capital*',
      '*',
      'capital AND France',
      'AND',
      'OR NOT',
      'NEAR(capital France, 2)',
      'NEAR(',
      'title:Paris',
      ':',
      '-Paris',
      '^Paris',
      '(capital OR',
      ')',
      "'; DROP TABLE docs; --",
      '{title text}: Paris',
      'a"b""c',
      '\u0000\u0001',
      '🙂 Paris 🙂',
      'x'.repeat(10_000),
      Array.from({ length: 500 }, (_, i) => `word${i}`).join(' '),
    ];
    for (const query of nasty) {
      await expect(index.search(query, 10)).resolves.toBeInstanceOf(Array);
    }
    expect(await ids('title:Paris')).toEqual(['paris', 'france']);
    expect(await ids('^Paris*')).toEqual(['paris', 'france']);
  });

  it('returns [] for a query of only punctuation, an empty query, topK 0, or an unknown word', async () => {
    expect(await index.search('?!."*()-:^', 10)).toEqual([]);
    expect(await index.search('', 10)).toEqual([]);
    expect(await index.search('Paris', 0)).toEqual([]);
    expect(await index.search('xylophone', 10)).toEqual([]);
  });

  it('stores metadata', () => {
    expect(index.meta).toMatchObject({ format: 'arpo-sqlite-fts5', version: 1, docCount: 12 });
    expect(Number.isNaN(Date.parse(index.meta.builtAt))).toBe(false);
  });

  it('is one self-contained file (no WAL) that a second open and a second process can read', async () => {
    expect(readdirSync(dir).sort()).toEqual(['corpus.jsonl', 'index.sqlite']);
    const second = openSqliteIndex(indexPath);
    expect((await second.search('cuisine', 10)).map((h) => h.id)).toEqual(['cuisine', 'lyon']);
    expect(await ids('cuisine')).toEqual(['cuisine', 'lyon']);
    second.close();

    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
      const rows = db.prepare("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 2, 1)").all('"cuisine"');
      console.log(JSON.stringify({ mode: db.pragma('journal_mode', { simple: true }), ids: rows.map((r) => r.id) }));
    `;
    const child = spawnSync(process.execPath, ['-e', script, indexPath], { cwd: process.cwd(), encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ mode: 'delete', ids: ['cuisine', 'lyon'] });
  });

  it('rejects after close and when the signal is already aborted', async () => {
    const other = openSqliteIndex(indexPath);
    other.close();
    other.close();
    await expect(other.search('Paris', 10)).rejects.toThrow(/is closed/);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(index.search('Paris', 10, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('building safely', () => {
  async function* failing(after: number): AsyncGenerator<CorpusDoc> {
    for (const doc of SMALL_CORPUS.slice(0, after)) yield doc;
    throw new Error('disk on fire');
  }

  it('never leaves a partial index at the target path, and keeps an existing index intact', async () => {
    const sub = mkdtempSync(join(dir, 'crash-'));
    const target = join(sub, 'index.sqlite');
    await expect(buildSqliteIndex(failing(3), target)).rejects.toThrow('disk on fire');
    expect(readdirSync(sub)).toEqual([]);

    copyFileSync(indexPath, target);
    await expect(buildSqliteIndex(failing(5), target)).rejects.toThrow('disk on fire');
    expect(readdirSync(sub)).toEqual(['index.sqlite']);
    const kept = openSqliteIndex(target);
    expect(kept.meta.docCount).toBe(12);
    kept.close();
  });

  it('stops at a bad corpus line without writing an index', async () => {
    const sub = mkdtempSync(join(dir, 'bad-'));
    const corpus = join(sub, 'bad.jsonl');
    writeFileSync(corpus, '{"id":"a","text":"x"}\n{"id":"b"}\n');
    const target = join(sub, 'index.sqlite');
    await expect(buildSqliteIndex(corpus, target)).rejects.toThrow(
      new ArpoConfigError('corpus line 2 of bad.jsonl', [{ field: 'text', value: undefined, expected: 'a string' }]),
    );
    expect(readdirSync(sub)).toEqual(['bad.jsonl']);
  });

  it('refuses to open a missing file, a half-written file, a non-SQLite file and a foreign database', async () => {
    const sub = mkdtempSync(join(dir, 'open-'));
    const missing = join(sub, 'missing.sqlite');
    expect(() => openSqliteIndex(missing)).toThrow(ArpoConfigError);
    expect(() => openSqliteIndex(missing)).toThrow(/^Invalid search index: path = ".*missing\.sqlite" \(expected an index file built by buildSqliteIndex \/ arpo-index \(format arpo-sqlite-fts5 v1\); no such file\)$/);

    // What a crash mid-build would leave behind: the first page of a database only.
    const half = join(sub, `index.sqlite.tmp-${process.pid}`);
    writeFileSync(half, readFileSync(indexPath).subarray(0, 4096));
    expect(existsSync(join(sub, 'index.sqlite'))).toBe(false);
    expect(() => openSqliteIndex(join(sub, 'index.sqlite'))).toThrow(/no such file/);
    expect(() => openSqliteIndex(half)).toThrow(ArpoConfigError);

    const text = join(sub, 'notes.txt');
    writeFileSync(text, 'just some text, not a database at all '.repeat(200));
    expect(() => openSqliteIndex(text)).toThrow(/^Invalid search index: path = .*; file is not a database\)$/);

    const foreign = join(sub, 'foreign.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => openSqliteIndex(foreign)).toThrow(/no such table: meta/);
  });

  it('builds from in-memory documents and reports progress', async () => {
    const target = join(dir, 'mem.sqlite');
    const done: number[] = [];
    const stats = await buildSqliteIndex(SMALL_CORPUS, target, {
      onProgress: (p) => {
        if (p.done) done.push(p.docs);
      },
    });
    expect(stats.docs).toBe(12);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(done).toEqual([12]);
  });
});
