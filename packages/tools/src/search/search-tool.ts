import { z } from 'zod';
import { parseConfig, type Tool, type ToolCallContext, type ToolResult } from '@arpo/core';
import { SearchBackendError, type SearchBackend, type SearchHit } from './search-backend.js';

/** The text returned when a search finds nothing (reference `BingSearchTool`). */
export const NO_SEARCH_RESULTS = 'No search results found.';

/** A string cache for search results, keyed by the cleaned query. {@link QueryCache} implements it. */
export interface SearchResultCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

const isCache = (value: unknown): value is SearchResultCache =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as SearchResultCache).get === 'function' &&
  typeof (value as SearchResultCache).set === 'function';

/** Options of {@link createSearchTool} (validated; defaults filled in). */
export const SearchToolOptionsSchema = z.strictObject({
  /** Most results shown (reference `max_results`). Also the `topK` asked of the backend. */
  topK: z.number().int().min(1).max(1000).default(10),
  /** Each snippet is cut to this many characters (Unicode code points; reference `result_length`). */
  snippetChars: z.number().int().min(1).default(1000),
  /**
   * Prefix each snippet with the document's title: `Page 1: {title}: {text}`. Default false: the snippet is
   * the document text verbatim, like the reference's Bing `description`.
   */
  includeTitle: z.boolean().default(false),
  /** Optional persistent cache of formatted results, keyed by the cleaned query (e.g. a `QueryCache`). */
  cache: z
    .custom<SearchResultCache>(isCache, 'an object with get(key) and set(key, value) methods, e.g. a QueryCache')
    .optional(),
  /** The tool's tag: the model writes `<name>query</name>`. */
  name: z
    .string()
    .refine((v) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(v), 'a tag name of letters, digits, "_" or "-"')
    .default('search'),
  /** One line for prompts and docs. */
  description: z.string().default('Searches a document collection and returns the top snippets.'),
});
/** Validated search tool options. */
export type SearchToolOptions = z.output<typeof SearchToolOptionsSchema>;
/** Search tool options as written by users. */
export type SearchToolOptionsInput = z.input<typeof SearchToolOptionsSchema>;

/** The search tool: a core {@link Tool} plus the backend and options it was made with. */
export interface SearchTool extends Tool {
  readonly backend: SearchBackend;
  readonly options: SearchToolOptions;
}

/**
 * Cleans a model-written query as the reference does: removes every `"` and trims whitespace.
 */
export function cleanSearchQuery(input: string): string {
  return input.replaceAll('"', '').trim();
}

/** Cuts `text` to at most `chars` Unicode code points (never splits a surrogate pair). */
export function cutToChars(text: string, chars: number): string {
  if (text.length <= chars) return text;
  let count = 0;
  let end = 0;
  for (const ch of text) {
    if (count === chars) break;
    count++;
    end += ch.length;
  }
  return text.slice(0, end);
}

/**
 * Formats snippets as the reference does (spec §6.3): drops empty (whitespace-only) snippets and exact
 * duplicates, keeps the first `maxResults`, cuts each to `snippetChars` characters and renders
 * `Page 1: {snippet}\nPage 2: {snippet}…`; `No search results found.` when none are left.
 */
export function formatSearchResults(
  snippets: readonly string[],
  options: { maxResults?: number; snippetChars?: number } = {},
): string {
  const { maxResults = 10, snippetChars = 1000 } = options;
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const snippet of snippets) {
    if (lines.length >= maxResults) break;
    if (snippet.trim() === '' || seen.has(snippet)) continue;
    seen.add(snippet);
    lines.push(`Page ${lines.length + 1}: ${cutToChars(snippet, snippetChars)}`);
  }
  return lines.length === 0 ? NO_SEARCH_RESULTS : lines.join('\n');
}

/** The snippet of one hit: the text verbatim, or `{title}: {text}` with `includeTitle` (when there is a title). */
export function hitSnippet(hit: SearchHit, includeTitle = false): string {
  if (!includeTitle || hit.title.trim() === '' || hit.text.trim() === '') return hit.text;
  return `${hit.title}: ${hit.text}`;
}

/**
 * Creates the `search` tool over a {@link SearchBackend} (spec §6.3):
 *
 * 1. the query is cleaned ({@link cleanSearchQuery}: `"` removed, trimmed);
 * 2. a cache hit returns `{ text, status: 'ok', cached: true }`;
 * 3. otherwise the backend is asked for `topK` hits and they are formatted with {@link formatSearchResults};
 *    `No search results found.` (status `ok`) when there are none (also for an empty query);
 * 4. the result is cached (errors are not).
 *
 * `execute` never throws: a backend failure returns `{ status: 'error', retryable: true, text: <message> }`
 * (the executor retries it, as the reference retries an empty search), a timeout or abort
 * `{ status: 'timeout', … }`.
 *
 * @throws ArpoConfigError for invalid options (at creation only).
 */
export function createSearchTool(backend: SearchBackend, options: SearchToolOptionsInput = {}): SearchTool {
  const opts = parseConfig(SearchToolOptionsSchema, options, 'search tool options');
  const { cache, topK, snippetChars, includeTitle } = opts;

  return {
    specificationVersion: 'v1',
    name: opts.name,
    description: opts.description,
    backend,
    options: opts,
    async execute(input: string, context: ToolCallContext = {}): Promise<ToolResult> {
      const query = cleanSearchQuery(typeof input === 'string' ? input : String(input));
      if (query === '') return { text: NO_SEARCH_RESULTS, status: 'ok' };
      if (cache) {
        try {
          const hit = cache.get(query);
          if (hit !== undefined) return { text: hit, status: 'ok', cached: true };
        } catch {
          // A broken cache must not break search.
        }
      }
      let hits: SearchHit[];
      try {
        hits = await backend.search(query, topK, context.signal ? { signal: context.signal } : {});
      } catch (error) {
        return errorResult(error);
      }
      const text = formatSearchResults(
        hits.map((hit) => hitSnippet(hit, includeTitle)),
        { maxResults: topK, snippetChars },
      );
      if (cache) {
        try {
          cache.set(query, text);
        } catch {
          // Ignore: the result is still good.
        }
      }
      return { text, status: 'ok' };
    },
  };
}

function errorResult(error: unknown): ToolResult {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const timedOut =
    (error instanceof SearchBackendError && error.timedOut) || name === 'TimeoutError' || name === 'AbortError';
  // A backend failure is transient (the reference returns "" and retries): let the executor retry it.
  return { text: `Search failed: ${message}`, status: timedOut ? 'timeout' : 'error', retryable: !timedOut };
}
