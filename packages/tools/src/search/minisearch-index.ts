import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import MiniSearch, { type Options as MiniSearchOptions } from 'minisearch';
import { ArpoConfigError, ArpoError } from '@arpo/core';
import { writeFileAtomicSync } from '../cache/atomic-write.js';
import { readCorpus, type CorpusDoc, type CorpusSource } from './corpus.js';
import {
  normaliseTopK,
  throwIfAborted,
  type SearchBackend,
  type SearchHit,
  type SearchOptions,
} from './search-backend.js';
import type { BuildIndexOptions, IndexBuildStats, SearchIndexMeta } from './sqlite-index.js';

/** `format` of a MiniSearch index file. */
export const MINISEARCH_INDEX_FORMAT = 'arpo-minisearch';
/** `version` of the MiniSearch index files this code writes and reads. */
export const MINISEARCH_INDEX_VERSION = 1;

/**
 * Word tokens: runs of Unicode letters, marks and digits, like FTS5's `unicode61` tokenizer, so both backends
 * see the same words and FTS5 / query syntax characters never matter.
 */
function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/** Lower-cases and strips diacritics (`Zürich` → `zurich`), like `unicode61`'s default `remove_diacritics`. */
function processTerm(term: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0000-\u007f]/.test(term)) return term.toLowerCase();
  return term.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The one MiniSearch configuration used to build and to load (a saved index must be loaded with the same). */
const OPTIONS: MiniSearchOptions<CorpusDoc> = {
  idField: 'id',
  fields: ['title', 'text'],
  storeFields: ['title', 'text'],
  tokenize,
  processTerm,
  searchOptions: { boost: { title: 2 }, combineWith: 'OR', prefix: false, fuzzy: false },
};

/** Shape of a saved MiniSearch index file. */
interface MiniSearchFile extends SearchIndexMeta {
  index: unknown;
}

/** A MiniSearch backend, in memory. */
export interface MiniSearchBackend extends SearchBackend {
  /** Metadata (for an in-memory index: built now, never saved). */
  readonly meta: SearchIndexMeta;
  /** Documents in the index. */
  readonly docCount: number;
  close(): void;
}

/**
 * Builds a pure-JS MiniSearch index (fields `title` boosted 2 and `text`; OR; no prefix or fuzzy matching; no
 * stemming, unlike SQLite) from a corpus and saves it as ONE JSON file, written atomically (temp file in the
 * same directory + rename). The whole index lives in memory while building and when opened (about 1.5 KB per
 * short document): prefer {@link buildSqliteIndex} for large corpora.
 *
 * @throws ArpoConfigError for a bad corpus line (see {@link readCorpus}).
 */
export async function buildMiniSearchIndex(
  source: CorpusSource,
  indexPath: string,
  options: BuildIndexOptions = {},
): Promise<IndexBuildStats> {
  const started = performance.now();
  const path = resolve(indexPath);
  const search = new MiniSearch<CorpusDoc>(OPTIONS);
  const readOptions = options.onProgress ? { onProgress: options.onProgress } : {};
  let docs = 0;
  for await (const doc of readCorpus(source, readOptions)) {
    search.add(doc);
    docs++;
  }
  const file: MiniSearchFile = {
    format: MINISEARCH_INDEX_FORMAT,
    version: MINISEARCH_INDEX_VERSION,
    docCount: docs,
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
    index: search.toJSON(),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, JSON.stringify(file));
  return { backend: 'minisearch', path, docs, buildMs: performance.now() - started, bytes: statSync(path).size };
}

/**
 * Builds an in-memory MiniSearch backend from documents (validated like corpus lines; duplicate ids rejected).
 * Handy for small corpora and tests.
 */
export async function createMiniSearchBackend(source: CorpusSource): Promise<MiniSearchBackend> {
  const started = performance.now();
  const search = new MiniSearch<CorpusDoc>(OPTIONS);
  for await (const doc of readCorpus(source)) search.add(doc);
  return wrap(search, {
    format: MINISEARCH_INDEX_FORMAT,
    version: MINISEARCH_INDEX_VERSION,
    docCount: search.documentCount,
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
  });
}

/**
 * Loads a MiniSearch index file written by {@link buildMiniSearchIndex} (or `arpo-index --backend
 * minisearch`).
 *
 * @throws ArpoConfigError when the file is missing, is not JSON, or is not an index of this format/version.
 */
export async function openMiniSearchIndex(indexPath: string): Promise<MiniSearchBackend> {
  const path = resolve(indexPath);
  const expected = `a JSON index file built by buildMiniSearchIndex / arpo-index --backend minisearch (format ${MINISEARCH_INDEX_FORMAT} v${MINISEARCH_INDEX_VERSION})`;
  const fail = (reason: string): never => {
    throw new ArpoConfigError('search index', [{ field: 'path', value: path, expected: `${expected}; ${reason}` }]);
  };
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (error) {
    return fail((error as Error).message);
  }
  let file: Partial<MiniSearchFile>;
  try {
    file = JSON.parse(json) as Partial<MiniSearchFile>;
  } catch (error) {
    return fail(`it is not JSON (${(error as Error).message})`);
  }
  if (file === null || typeof file !== 'object' || file.format !== MINISEARCH_INDEX_FORMAT) {
    return fail(`its format is ${JSON.stringify((file as { format?: unknown } | null)?.format)}`);
  }
  if (file.version !== MINISEARCH_INDEX_VERSION) return fail(`its version is ${JSON.stringify(file.version)}`);
  let search: MiniSearch<CorpusDoc>;
  try {
    search = MiniSearch.loadJS<CorpusDoc>(file.index as Parameters<typeof MiniSearch.loadJS>[0], OPTIONS);
  } catch (error) {
    return fail(`MiniSearch could not load it (${(error as Error).message})`);
  }
  return wrap(search, {
    format: MINISEARCH_INDEX_FORMAT,
    version: MINISEARCH_INDEX_VERSION,
    docCount: search.documentCount,
    builtAt: String(file.builtAt ?? ''),
    buildMs: Number(file.buildMs ?? 0),
  });
}

function wrap(search: MiniSearch<CorpusDoc> | undefined, meta: SearchIndexMeta): MiniSearchBackend {
  const { format, version, docCount, builtAt, buildMs } = meta;
  let index = search;
  return {
    meta: { format, version, docCount, builtAt, buildMs },
    docCount,
    async search(query: string, topK: number, options: SearchOptions = {}): Promise<SearchHit[]> {
      throwIfAborted(options.signal);
      if (!index) throw new ArpoError('This MiniSearch index is closed.');
      const k = normaliseTopK(topK);
      if (k === 0) return [];
      const results = index.search(query);
      const hits: SearchHit[] = [];
      for (const result of results.slice(0, k)) {
        hits.push({
          id: String(result.id),
          title: typeof result.title === 'string' ? result.title : '',
          text: typeof result.text === 'string' ? result.text : '',
          score: result.score,
        });
      }
      return hits;
    },
    close(): void {
      index = undefined;
    },
  };
}
