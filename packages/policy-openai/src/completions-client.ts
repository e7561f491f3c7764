import { ArpoError, createRng, type Rng } from '@arpo/core';
import { backoffDelay, sleep } from './backoff.js';
import type { OpenAIPolicyConfig } from './openai-policy-config.js';
import { requestJson } from './post-json.js';
import { OpenAIRetriesExhaustedError, OpenAIServerError } from './server-error.js';
import { ServerPool, type ServerLease, type ServerStats } from './server-pool.js';

/** Counters of a {@link CompletionsClient}. */
export interface ClientStats {
  /** Per server. */
  servers: ServerStats[];
  /** Attempts that were retries. */
  retries: number;
}

/**
 * Sends completions requests to a pool of OpenAI-compatible servers: least-in-flight choice with a
 * per-server concurrency limit, a per-attempt timeout, and retries with exponential backoff on retryable
 * errors (connection, timeout, 429, 5xx, and parse errors marked retryable), each retry on a server not tried
 * yet when there is one. Non-retryable errors (malformed JSON, missing log-probs, other 4xx) throw at once.
 */
export class CompletionsClient {
  /** The servers and their counters. */
  readonly pool: ServerPool;
  private readonly jitter: Rng;
  private retries = 0;

  constructor(private readonly config: Pick<OpenAIPolicyConfig, 'servers' | 'apiKey' | 'headers' | 'maxConcurrencyPerServer' | 'timeoutMs' | 'retry' | 'serverCooldownMs'>) {
    this.pool = new ServerPool(config.servers, { maxConcurrency: config.maxConcurrencyPerServer, cooldownMs: config.serverCooldownMs });
    this.jitter = createRng(config.retry.seed);
  }

  /**
   * POSTs the body that `body(url, attempt)` makes for the chosen server to `path` and hands the JSON to `parse`
   * (which may throw {@link OpenAIServerError}s of its own); retries as configured. The first attempt uses
   * `firstLease` when given (a slot taken with `pool.tryAcquire`). Throws the error itself when it is not
   * retryable, else {@link OpenAIRetriesExhaustedError} after the last attempt.
   */
  async post<T>(
    path: string,
    body: (url: string, attempt: number) => unknown,
    parse: (json: unknown, url: string) => T,
    options: { signal?: AbortSignal; firstLease?: ServerLease } = {},
  ): Promise<T> {
    const { retry } = this.config;
    const { signal } = options;
    const tried = new Set<string>();
    const errors: OpenAIServerError[] = [];
    for (let attempt = 1; ; attempt++) {
      const lease = attempt === 1 && options.firstLease ? options.firstLease : await this.pool.acquire(tried, signal);
      tried.add(lease.url);
      if (tried.size === this.config.servers.length) tried.clear(); // every server tried: start a new pass
      let failed = false;
      try {
        const json = await requestJson(lease.url, path, body(lease.url, attempt), { headers: this.headers(), timeoutMs: this.config.timeoutMs, ...(signal ? { signal } : {}) });
        return parse(json, lease.url);
      } catch (error) {
        if (!(error instanceof OpenAIServerError) || !error.retryable) throw error;
        failed = true;
        errors.push(error);
        if (attempt >= retry.maxAttempts) throw new OpenAIRetriesExhaustedError(errors);
      } finally {
        lease.release(failed);
      }
      this.retries += 1;
      await sleep(backoffDelay(attempt, retry, this.jitter), signal);
    }
  }

  /** `GET /v1/models` of one server (default the first): the served model ids. */
  async listModels(url = this.config.servers[0]!, signal?: AbortSignal): Promise<string[]> {
    const json = await requestJson(url, '/v1/models', undefined, { headers: this.headers(), timeoutMs: this.config.timeoutMs, ...(signal ? { signal } : {}) });
    const data = (json as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || data.some((m) => typeof (m as { id?: unknown })?.id !== 'string')) {
      throw new OpenAIServerError(url, 'malformed', 'malformed response from /v1/models: expected { data: [{ id: string }, ...] }');
    }
    const ids = data.map((m) => (m as { id: string }).id);
    if (ids.length === 0) throw new ArpoError(`${url}: /v1/models lists no model`);
    return ids;
  }

  /** Counters per server and retries so far. */
  stats(): ClientStats {
    return { servers: this.pool.stats(), retries: this.retries };
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { ...this.config.headers };
    if (this.config.apiKey) h['authorization'] = `Bearer ${this.config.apiKey}`;
    return h;
  }
}
