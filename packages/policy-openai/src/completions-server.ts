import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArpoError, type Policy } from '@arpo/core';
import { BatchScheduler, type SchedulerStats } from './batch-scheduler.js';
import { parseCompletionsServerConfig, type CompletionsServerConfig, type CompletionsServerConfigInput } from './completions-server-config.js';
import { formatCompletion } from './format-completion.js';
import { readJsonBody, sendJson } from './http-io.js';
import { parseCompletionRequest } from './parse-completion-request.js';
import { RequestError } from './request-error.js';
import { SequenceCache } from './sequence-cache.js';

/** Options of {@link createCompletionsServer}: the settings plus the policy to serve. */
export interface CompletionsServerOptions extends CompletionsServerConfigInput {
  /** Any `@arpo/core` policy, e.g. `await TfjsPolicy.load(dir)`. */
  policy: Policy;
  /** Where start-up and failed generations are logged (default: nothing). */
  log?: (message: string) => void;
}

/** Counters of a {@link CompletionsServer}. */
export interface CompletionsServerStats extends SchedulerStats {
  /** Sequences remembered by the prefix cache. */
  cachedSequences: number;
}

/**
 * An OpenAI-compatible server for any `Policy`: `POST /v1/completions` (token-id or text prompts, `max_tokens`,
 * `temperature`, `top_p`, `top_k`, `stop`, `logprobs`, `n`, `seed`, vLLM's `return_tokens_as_token_ids`, and the
 * `arpo_*` extensions), `GET /v1/models` and `GET /health`. Concurrent requests are merged into one
 * `policy.generate` call per round ({@link BatchScheduler}); prefixes that continue earlier rows reuse their
 * KV caches ({@link SequenceCache}).
 */
export class CompletionsServer {
  /** The validated settings. */
  readonly config: CompletionsServerConfig;
  /** The served model name. */
  readonly modelName: string;
  /** The served policy. */
  readonly policy: Policy;
  /** The node:http request listener, for mounting the API in another server. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly http: Server;
  private readonly scheduler: BatchScheduler;
  private readonly cache: SequenceCache;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly log: (message: string) => void;
  private requestCounter = 0;
  private address: AddressInfo | undefined;

  constructor(options: CompletionsServerOptions) {
    const { policy, log, ...config } = options;
    if (!policy || typeof policy.generate !== 'function') throw new ArpoError('createCompletionsServer: options.policy must be a Policy');
    this.config = parseCompletionsServerConfig(config);
    this.policy = policy;
    this.modelName = this.config.modelName ?? policy.modelId;
    this.log = log ?? (() => undefined);
    this.cache = new SequenceCache(policy, this.config.maxCachedSequences);
    this.scheduler = new BatchScheduler(policy, {
      maxBatchRows: this.config.maxBatchRows,
      batchWindowMs: this.config.batchWindowMs,
      maxBatchWaitMs: this.config.maxBatchWaitMs,
      seededBatching: this.config.seededBatching,
      seed: this.config.seed,
      cache: this.cache,
      gapToken: policy.tokenizer.eosTokenId,
    });
    this.handler = (req, res) => void this.handle(req, res);
    this.http = createServer(this.handler);
  }

  /** Starts listening on `host:port`; resolves once `url` is valid. */
  listen(): Promise<this> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off('error', reject);
        this.address = this.http.address() as AddressInfo;
        this.log(`[@arpo/policy-openai] serving ${this.modelName} at ${this.url}/v1`);
        resolve(this);
      });
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:8000` (pass it to `OpenAIPolicy`'s `servers`). */
  get url(): string {
    if (!this.address) throw new ArpoError('CompletionsServer: not listening (call listen() first)');
    const { address, port } = this.address;
    const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '[::1]' : address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${port}`;
  }

  /** Counters of the batching and the prefix cache. */
  stats(): CompletionsServerStats {
    return { ...this.scheduler.stats(), cachedSequences: this.cache.size };
  }

  /** Stops listening, drops open connections and releases the cached sequences. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.address = undefined;
    await this.cache.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
      if (path === '/v1/completions') {
        if (req.method !== 'POST') throw new RequestError(405, `${req.method} ${path} is not allowed (use POST)`, null);
        sendJson(res, 200, await this.complete(await readJsonBody(req, this.config.maxBodyBytes)));
      } else if (path === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: [{ id: this.modelName, object: 'model', created: this.created, owned_by: 'arpo', root: this.modelName, ...(this.policy.contextLength !== undefined ? { max_model_len: this.policy.contextLength } : {}) }] });
      } else if (path === '/health') {
        sendJson(res, 200, { status: 'ok' });
      } else {
        throw new RequestError(404, `no route ${req.method} ${path} (this server has /v1/completions, /v1/models and /health)`, null, 'NotFoundError');
      }
    } catch (error) {
      const e = error instanceof RequestError ? error : new RequestError(error instanceof ArpoError ? 400 : 500, (error as Error)?.message ?? String(error), null);
      if (e.status >= 500) this.log(`[@arpo/policy-openai] ${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) sendJson(res, e.status, e.toBody());
      else res.destroy();
    }
  }

  private async complete(body: unknown) {
    const job = parseCompletionRequest(body, {
      modelName: this.modelName,
      tokenizer: this.policy.tokenizer,
      maxLogprobs: this.config.maxLogprobs,
      maxN: this.config.maxN,
    });
    const generations = await this.scheduler.submit(job);
    return formatCompletion(job, generations, {
      id: `cmpl-${++this.requestCounter}`,
      model: this.modelName,
      created: Math.floor(Date.now() / 1000),
      tokenizer: this.policy.tokenizer,
    });
  }
}

/** A {@link CompletionsServer} that is not listening yet (call `listen()`; or mount `handler`). */
export function createCompletionsServer(options: CompletionsServerOptions): CompletionsServer {
  return new CompletionsServer(options);
}

/**
 * Serves `options.policy` over the OpenAI-compatible completions API and resolves once it listens:
 * `const server = await serveCompletions({ policy, port: 8000 }); … await server.close();`
 */
export function serveCompletions(options: CompletionsServerOptions): Promise<CompletionsServer> {
  return new CompletionsServer(options).listen();
}
