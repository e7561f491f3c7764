import { ArpoError } from '@arpo/core';

/**
 * One document returned by a {@link SearchBackend}, best first.
 */
export interface SearchHit {
  /** The document's id, as given in the corpus (`id` field of the JSONL line) or by the remote engine. */
  id: string;
  /** The document's title; `''` when the document has none. */
  title: string;
  /** The document's full body text, verbatim (no highlighting, no truncation: the search tool cuts it). */
  text: string;
  /**
   * Relevance score, HIGHER IS BETTER. Only comparable between hits of the same query on the same backend
   * (SQLite: the negated FTS5 `bm25()` value; MiniSearch: its BM25+ score; Elasticsearch: `_score`).
   */
  score: number;
}

/** Per-call options of {@link SearchBackend.search}. */
export interface SearchOptions {
  /**
   * Aborts the search. A backend rejects with the signal's reason when it is already aborted on entry; an
   * HTTP backend also cancels the request in flight.
   */
  signal?: AbortSignal;
}

/**
 * A full-text search engine behind the `search` tool (spec §6.3; research/components.md §1).
 *
 * Implementations: {@link openSqliteIndex} (SQLite FTS5, the default), {@link openMiniSearchIndex} (pure JS),
 * {@link createElasticsearchBackend} (Elasticsearch / OpenSearch over HTTP), or your own.
 */
export interface SearchBackend {
  /**
   * Returns at most `topK` hits for `query`, best first.
   *
   * - `query` is arbitrary model-written text. A backend must never fail because of its syntax: it treats the
   *   query as plain words (OR semantics). A query with no searchable words resolves to `[]`.
   * - `topK` is the maximum number of hits; `topK <= 0` resolves to `[]`.
   * - Rejects only for operational failures (unreadable index, HTTP error, timeout, abort); the search tool
   *   turns a rejection into a `status: 'error'` / `'timeout'` result.
   */
  search(query: string, topK: number, options?: SearchOptions): Promise<SearchHit[]>;
  /** Releases resources (file handles). Searching after `close()` rejects. Idempotent. */
  close?(): void | Promise<void>;
}

/**
 * An operational failure of a search backend (not a bad query): unreachable server, HTTP error status,
 * malformed response, timeout, unreadable index.
 */
export class SearchBackendError extends ArpoError {
  override name = 'SearchBackendError';
  constructor(
    message: string,
    readonly details: {
      /** HTTP status code, for HTTP backends. */
      httpStatus?: number;
      /** True when the request ran past its time limit. The search tool reports `status: 'timeout'`. */
      timedOut?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
  /** True when the request ran past its time limit. */
  get timedOut(): boolean {
    return this.details.timedOut === true;
  }
}

/** Rejects with the signal's reason when it is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The search was aborted.', 'AbortError');
}

/** Normalises `topK`: a non-negative integer (NaN and negatives → 0). */
export function normaliseTopK(topK: number): number {
  if (!Number.isFinite(topK)) return topK === Infinity ? Number.MAX_SAFE_INTEGER : 0;
  return Math.max(0, Math.floor(topK));
}
