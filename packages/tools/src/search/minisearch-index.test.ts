import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { SMALL_CORPUS, smallCorpusJsonl } from './fixtures/small-corpus.js';
import {
  buildMiniSearchIndex,
  createMiniSearchBackend,
  openMiniSearchIndex,
  type MiniSearchBackend,
} from './minisearch-index.js';
import { buildSqliteIndex, openSqliteIndex, type SqliteSearchBackend } from './sqlite-index.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-minisearch-'));
const corpusPath = join(dir, 'corpus.jsonl');
const indexPath = join(dir, 'index.json');
let mini: MiniSearchBackend;
let sqlite: SqliteSearchBackend;

beforeAll(async () => {
  writeFileSync(corpusPath, smallCorpusJsonl());
  const stats = await buildMiniSearchIndex(corpusPath, indexPath);
  expect(stats).toMatchObject({ backend: 'minisearch', path: indexPath, docs: 12 });
  mini = await openMiniSearchIndex(indexPath);
  await buildSqliteIndex(corpusPath, join(dir, 'index.sqlite'));
  sqlite = openSqliteIndex(join(dir, 'index.sqlite'));
});
afterAll(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async (query: string, topK = 10): Promise<string[]> =>
  (await mini.search(query, topK)).map((hit) => hit.id);

describe('MiniSearch index', () => {
  it('writes one JSON file atomically (no temp file left) with metadata', () => {
    expect(readdirSync(dir).sort()).toEqual(['corpus.jsonl', 'index.json', 'index.sqlite']);
    const file = JSON.parse(readFileSync(indexPath, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ format: 'arpo-minisearch', version: 1, docCount: 12 });
    expect(mini.meta).toMatchObject({ format: 'arpo-minisearch', version: 1, docCount: 12 });
  });

  it('ranks with the title boost of 2 and OR semantics', async () => {
    expect(await ids('cuisine')).toEqual(['cuisine', 'lyon']);
    expect(await ids('capital of France', 3)).toEqual(['france', 'paris', 'tokyo']);
    const hits = await mini.search('Paris', 10);
    expect(hits.map((h) => [h.id, h.title, h.text])).toEqual([
      ['paris', 'Paris', 'Paris is the capital and largest city of France.'],
      ['france', 'France', 'France is a country in Western Europe. Its capital is Paris.'],
    ]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('agrees with SQLite on the top hit', async () => {
    const queries = [
      'cuisine',
      'capital of France',
      'Paris',
      'France',
      'Zürich',
      'Zurich',
      '東京',
      'São Paulo',
      'populous',
      'quantum computer',
      'mountain',
      'capital city',
      'largest',
      'music genre',
    ];
    for (const query of queries) {
      const [a] = await sqlite.search(query, 1);
      const [b] = await mini.search(query, 1);
      expect([query, b?.id]).toEqual([query, a?.id]);
    }
  });

  it('does not stem (unlike SQLite): "cities" matches only "cities"', async () => {
    expect(await ids('cities')).toEqual(['cities']);
    expect(await ids('city')).toEqual(['paris']);
  });

  it('treats query syntax as plain words and returns [] when no word is left', async () => {
    for (const query of ['"', 'NEAR(', 'title:Paris', '-Paris', '^Paris*', '(a OR', 'AND', "'; DROP TABLE x; --"]) {
      await expect(mini.search(query, 10)).resolves.toBeInstanceOf(Array);
    }
    expect(await ids('title:Paris')).toEqual(['paris', 'france']);
    expect(await mini.search('?!."*()-:^', 10)).toEqual([]);
    expect(await mini.search('Paris', 0)).toEqual([]);
  });

  it('builds an in-memory backend from documents', async () => {
    const memory = await createMiniSearchBackend(SMALL_CORPUS);
    expect(memory.docCount).toBe(12);
    expect((await memory.search('cuisine', 10)).map((h) => h.id)).toEqual(['cuisine', 'lyon']);
    memory.close();
    await expect(memory.search('cuisine', 10)).rejects.toThrow(/closed/);
  });

  it('refuses files that are not MiniSearch indexes', async () => {
    await expect(openMiniSearchIndex(join(dir, 'missing.json'))).rejects.toThrow(ArpoConfigError);
    await expect(openMiniSearchIndex(corpusPath)).rejects.toThrow(/it is not JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"format":"something-else"}');
    await expect(openMiniSearchIndex(other)).rejects.toThrow(/its format is "something-else"\)$/);
    rmSync(other);
  });
});
