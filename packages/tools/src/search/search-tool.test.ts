import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { SMALL_CORPUS } from './fixtures/small-corpus.js';
import type { SearchBackend, SearchHit } from './search-backend.js';
import { SearchBackendError } from './search-backend.js';
import {
  NO_SEARCH_RESULTS,
  cleanSearchQuery,
  createSearchTool,
  cutToChars,
  formatSearchResults,
  type SearchResultCache,
} from './search-tool.js';
import { buildSqliteIndex, openSqliteIndex, type SqliteSearchBackend } from './sqlite-index.js';

/** A backend returning fixed texts, recording the queries it received. */
function fakeBackend(texts: readonly string[]): SearchBackend & { calls: { query: string; topK: number }[] } {
  const calls: { query: string; topK: number }[] = [];
  return {
    calls,
    async search(query: string, topK: number): Promise<SearchHit[]> {
      calls.push({ query, topK });
      return texts.map((text, i) => ({ id: `d${i}`, title: `T${i}`, text, score: texts.length - i }));
    },
  };
}

function mapCache(): SearchResultCache & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (key) => map.get(key), set: (key, value) => void map.set(key, value) };
}

const dir = mkdtempSync(join(tmpdir(), 'arpo-search-tool-'));
let sqlite: SqliteSearchBackend;
beforeAll(async () => {
  await buildSqliteIndex(SMALL_CORPUS, join(dir, 'index.sqlite'));
  sqlite = openSqliteIndex(join(dir, 'index.sqlite'));
});
afterAll(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('formatSearchResults', () => {
  it('formats exactly "Page i: snippet" joined by newlines', () => {
    expect(formatSearchResults(['alpha', 'beta', 'gamma'])).toBe('Page 1: alpha\nPage 2: beta\nPage 3: gamma');
  });

  it('removes empty snippets and duplicates before numbering', () => {
    expect(formatSearchResults(['a', '', 'a', '  ', 'b', 'a', 'c'])).toBe('Page 1: a\nPage 2: b\nPage 3: c');
  });

  it('keeps the first 10 and cuts each to 1000 characters', () => {
    const snippets = Array.from({ length: 15 }, (_, i) => `${i}`.repeat(2000).slice(0, 1500));
    const lines = formatSearchResults(snippets).split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(`Page 1: ${'0'.repeat(1000)}`);
    expect(lines[9]).toBe(`Page 10: ${'9'.repeat(1000)}`);
  });

  it('returns "No search results found." when nothing is left', () => {
    expect(formatSearchResults([])).toBe('No search results found.');
    expect(formatSearchResults(['', ' \n'])).toBe(NO_SEARCH_RESULTS);
  });

  it('cuts by code points, never splitting a surrogate pair', () => {
    expect(cutToChars('ab🙂cd', 3)).toBe('ab🙂');
    expect(cutToChars('abc', 5)).toBe('abc');
    expect(formatSearchResults([`${'x'.repeat(999)}🙂🙂`])).toBe(`Page 1: ${'x'.repeat(999)}🙂`);
  });
});

describe('createSearchTool', () => {
  it('is a v1 Tool named "search"', () => {
    const tool = createSearchTool(fakeBackend([]));
    expect(tool.specificationVersion).toBe('v1');
    expect(tool.name).toBe('search');
    expect(tool.options).toMatchObject({ topK: 10, snippetChars: 1000, includeTitle: false });
    expect(createSearchTool(fakeBackend([]), { name: 'wiki' }).name).toBe('wiki');
  });

  it('removes double quotes from the query and asks the backend for topK hits', async () => {
    const backend = fakeBackend(['one']);
    const tool = createSearchTool(backend, { topK: 4 });
    await tool.execute('  "capital" of "France"\n');
    expect(backend.calls).toEqual([{ query: 'capital of France', topK: 4 }]);
    expect(cleanSearchQuery('"a" "b"')).toBe('a b');
  });

  it('formats the hits, de-duplicated, at most topK, each cut to snippetChars', async () => {
    const texts = ['dup', 'dup', '', ...Array.from({ length: 20 }, (_, i) => `text ${i} ${'z'.repeat(50)}`)];
    const tool = createSearchTool(fakeBackend(texts), { snippetChars: 10 });
    const result = await tool.execute('q');
    expect(result.status).toBe('ok');
    expect(result.text).toBe(
      [
        'Page 1: dup',
        'Page 2: text 0 zzz',
        'Page 3: text 1 zzz',
        'Page 4: text 2 zzz',
        'Page 5: text 3 zzz',
        'Page 6: text 4 zzz',
        'Page 7: text 5 zzz',
        'Page 8: text 6 zzz',
        'Page 9: text 7 zzz',
        'Page 10: text 8 zzz',
      ].join('\n'),
    );
  });

  it('searches a SQLite index end to end, keeping the document text verbatim', async () => {
    const tool = createSearchTool(sqlite);
    expect(await tool.execute('cuisine')).toEqual({
      text:
        'Page 1: Cooking traditions of France: bread, cheese and wine from every region.\n' +
        'Page 2: Lyon is known for its cuisine and its silk.',
      status: 'ok',
    });
    expect(await tool.execute('東京')).toEqual({
      text: 'Page 1: Tokyo (東京) is the capital of Japan and its largest metropolis.',
      status: 'ok',
    });
  });

  it('prefixes titles with includeTitle', async () => {
    const tool = createSearchTool(sqlite, { includeTitle: true, topK: 1 });
    expect(await tool.execute('cuisine')).toEqual({
      text: 'Page 1: French cuisine: Cooking traditions of France: bread, cheese and wine from every region.',
      status: 'ok',
    });
  });

  it('answers "No search results found." for punctuation-only, empty and unmatched queries', async () => {
    const tool = createSearchTool(sqlite);
    for (const query of ['?!."*()-:^', '""', '', '   ', 'xylophone', '"(*)"', 'NEAR(', '"unmatched']) {
      expect([query, await tool.execute(query)]).toEqual([query, { text: 'No search results found.', status: 'ok' }]);
    }
    for (const query of ['-Paris', '^Paris*', 'title:Paris', 'capital AND France', '(capital OR', '"Paris']) {
      expect((await tool.execute(query)).text).toMatch(/^Page 1: /);
    }
  });

  it('serves repeated queries from the cache, keyed by the cleaned query', async () => {
    const backend = fakeBackend(['alpha']);
    const cache = mapCache();
    const tool = createSearchTool(backend, { cache });
    expect(await tool.execute('"alpha"')).toEqual({ text: 'Page 1: alpha', status: 'ok' });
    expect(await tool.execute('alpha')).toEqual({ text: 'Page 1: alpha', status: 'ok', cached: true });
    expect(backend.calls).toHaveLength(1);
    expect([...cache.map]).toEqual([['alpha', 'Page 1: alpha']]);
  });

  it('returns errors and timeouts as results, never throws, and caches neither', async () => {
    const cache = mapCache();
    const failing: SearchBackend = {
      search: async () => {
        throw new SearchBackendError('index unreadable');
      },
    };
    expect(await createSearchTool(failing, { cache }).execute('q')).toEqual({
      text: 'Search failed: index unreadable',
      status: 'error',
      retryable: true,
    });
    const slow: SearchBackend = {
      search: async () => {
        throw new SearchBackendError('took too long', { timedOut: true });
      },
    };
    expect(await createSearchTool(slow, { cache }).execute('q')).toEqual({
      text: 'Search failed: took too long',
      status: 'timeout',
      retryable: false,
    });
    const aborted: SearchBackend = {
      search: async (_q, _k, options) => {
        throw options?.signal?.reason;
      },
    };
    const controller = new AbortController();
    controller.abort();
    expect((await createSearchTool(aborted).execute('q', { signal: controller.signal })).status).toBe('timeout');
    const weird: SearchBackend = {
      search: () => Promise.reject('a string'),
    };
    expect(await createSearchTool(weird).execute('q')).toEqual({ text: 'Search failed: a string', status: 'error', retryable: true });
    const brokenCache: SearchResultCache = {
      get: () => {
        throw new Error('cache broken');
      },
      set: () => {
        throw new Error('cache broken');
      },
    };
    expect(await createSearchTool(fakeBackend(['x']), { cache: brokenCache }).execute('q')).toEqual({
      text: 'Page 1: x',
      status: 'ok',
    });
    expect(cache.map.size).toBe(0);
  });

  it('validates its options', () => {
    expect(() => createSearchTool(fakeBackend([]), { topK: 0 })).toThrow(
      new ArpoConfigError('search tool options', [{ field: 'topK', value: 0, expected: 'a number >= 1' }]),
    );
    expect(() => createSearchTool(fakeBackend([]), { cache: {} as SearchResultCache })).toThrow(
      'Invalid search tool options: cache = {} (expected an object with get(key) and set(key, value) methods, e.g. a QueryCache)',
    );
    expect(() => createSearchTool(fakeBackend([]), { name: '<search>' })).toThrow(
      'Invalid search tool options: name = "<search>" (expected a tag name of letters, digits, "_" or "-")',
    );
    expect(() => createSearchTool(fakeBackend([]), { topk: 3 } as never)).toThrow(/topk = 3 \(expected a known field/);
  });
});
