import { z } from 'zod';
import { parseConfig } from '@arpo/core';
import {
  SearchBackendError,
  normaliseTopK,
  throwIfAborted,
  type SearchBackend,
  type SearchHit,
  type SearchOptions,
} from './search-backend.js';

/** Config of {@link createElasticsearchBackend} (validated; defaults filled in). */
export const ElasticsearchConfigSchema = z.strictObject({
  /** Base URL of the cluster, e.g. `http://localhost:9200` (a trailing `/` is ignored). */
  url: z.url({ protocol: /^https?$/ }),
  /** Index (or comma-separated indices / alias) to search. */
  index: z.string().refine((v) => /^[^\s/]+$/.test(v), 'a non-empty index name without spaces or "/"'),
  /** `_source` field holding the title; searched with boost 2. */
  titleField: z.string().min(1).default('title'),
  /** `_source` field holding the body text; searched with boost 1 and returned as the snippet. */
  textField: z.string().min(1).default('text'),
  /** `_source` field holding the document id; when unset, the hit's `_id` is used. */
  idField: z.string().min(1).optional(),
  /** Time limit of one request (connect + response body) in milliseconds. */
  timeoutMs: z.number().int().min(1).default(10_000),
  /** Extra request headers, e.g. `{ authorization: 'ApiKey …' }`. Never included in error messages. */
  headers: z.record(z.string(), z.string()).optional(),
});
/** Validated Elasticsearch config. */
export type ElasticsearchConfig = z.output<typeof ElasticsearchConfigSchema>;
/** Elasticsearch config as written by users (defaults optional). */
export type ElasticsearchConfigInput = z.input<typeof ElasticsearchConfigSchema>;

/** An Elasticsearch / OpenSearch backend. */
export interface ElasticsearchBackend extends SearchBackend {
  /** The validated config. */
  readonly config: ElasticsearchConfig;
  /** The `_search` endpoint requests go to. */
  readonly endpoint: string;
}

const EXCERPT_CHARS = 300;

/**
 * A {@link SearchBackend} for Elasticsearch or OpenSearch over HTTP (global `fetch`; no client library).
 *
 * Each search POSTs to `${url}/${index}/_search`:
 * `{ size: topK, query: { multi_match: { query, fields: ['<titleField>^2', '<textField>'] } }, _source: [...] }`
 * (`multi_match` takes plain text, so query syntax never fails) and reads `hits.hits[]` (`_source`, `_id`,
 * `_score`). A query with no letters or digits resolves to `[]` without a request.
 *
 * Failures reject with {@link SearchBackendError}: an HTTP error status (the status, the URL and an excerpt of
 * the body), a body that is not the expected JSON (naming the server), a network error, or a timeout after
 * `timeoutMs` (`timedOut: true`). An abort through `options.signal` rejects with the signal's reason.
 *
 * @throws ArpoConfigError for an invalid config.
 */
export function createElasticsearchBackend(config: ElasticsearchConfigInput): ElasticsearchBackend {
  const cfg = parseConfig(ElasticsearchConfigSchema, config, 'elasticsearch config');
  const endpoint = `${cfg.url.replace(/\/+$/, '')}/${cfg.index}/_search`;
  const sourceFields = [cfg.titleField, cfg.textField, ...(cfg.idField ? [cfg.idField] : [])];
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...cfg.headers };

  return {
    config: cfg,
    endpoint,
    async search(query: string, topK: number, options: SearchOptions = {}): Promise<SearchHit[]> {
      throwIfAborted(options.signal);
      const size = normaliseTopK(topK);
      if (size === 0 || !/[\p{L}\p{N}]/u.test(query)) return [];
      const body = {
        size,
        query: { multi_match: { query, fields: [`${cfg.titleField}^2`, cfg.textField] } },
        _source: sourceFields,
      };
      const timeout = AbortSignal.timeout(cfg.timeoutMs);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

      let status: number;
      let statusText: string;
      let text: string;
      try {
        const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
        status = response.status;
        statusText = response.statusText;
        text = await response.text();
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (timeout.aborted) {
          throw new SearchBackendError(`Elasticsearch request to ${endpoint} timed out after ${cfg.timeoutMs} ms.`, {
            timedOut: true,
            cause: error,
          });
        }
        const cause = (error as { cause?: { message?: string; code?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new SearchBackendError(`Elasticsearch request to ${endpoint} failed: ${reason}`, { cause: error });
      }

      if (status < 200 || status >= 300) {
        throw new SearchBackendError(
          `Elasticsearch request to ${endpoint} failed with HTTP ${status}${statusText ? ` ${statusText}` : ''}: ${excerpt(text)}`,
          { httpStatus: status },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new SearchBackendError(
          `Elasticsearch server at ${endpoint} returned malformed JSON (HTTP ${status}): ${excerpt(text)}`,
          { httpStatus: status },
        );
      }
      const hits = (json as { hits?: { hits?: unknown } } | null)?.hits?.hits;
      if (!Array.isArray(hits)) {
        throw new SearchBackendError(
          `Elasticsearch server at ${endpoint} returned JSON without a hits.hits array: ${excerpt(text)}`,
          { httpStatus: status },
        );
      }
      return hits.slice(0, size).map((hit: unknown) => toHit(hit, cfg));
    },
  };
}

function toHit(hit: unknown, cfg: ElasticsearchConfig): SearchHit {
  const record = (hit ?? {}) as { _id?: unknown; _score?: unknown; _source?: Record<string, unknown> };
  const source = record._source ?? {};
  const id = cfg.idField ? sourceValue(source, cfg.idField) : record._id;
  return {
    id: id === undefined || id === null ? '' : String(id),
    title: fieldText(sourceValue(source, cfg.titleField)),
    text: fieldText(sourceValue(source, cfg.textField)),
    score: typeof record._score === 'number' ? record._score : 0,
  };
}

/** `_source[field]`, or the nested value for a dotted field name such as `meta.title`. */
function sourceValue(source: Record<string, unknown>, field: string): unknown {
  if (field in source || !field.includes('.')) return source[field];
  let node: unknown = source;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A `_source` value as text: strings as they are, arrays of strings joined with a space, anything else `''`. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').join(' ');
  return '';
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}...` : flat;
}
