import { ArpoError, createRng, type GenerateRequest, type Policy, type Rng, type Tokenizer } from '@arpo/core';
import { CompletionsClient, type ClientStats } from './completions-client.js';
import type { ServerLease } from './server-pool.js';
import { withEntropyEstimates, type OpenAIGeneration } from './entropy-estimates.js';
import { parseOpenAIPolicyConfig, type OpenAIPolicyConfig, type OpenAIPolicyConfigInput } from './openai-policy-config.js';
import { parseCompletionResponse } from './parse-choice.js';
import type { ParseContext } from './parse-logprobs.js';
import { rowSeed } from './row-seed.js';
import type { CompletionRequestBody } from './wire-types.js';

/** Options of {@link OpenAIPolicy}: the validated settings plus the tokenizer. */
export interface OpenAIPolicyOptions extends OpenAIPolicyConfigInput {
  /** The tokenizer whose ids the served model reads and writes (must match the server's, id for id). */
  tokenizer: Tokenizer;
  /** Seed of the batch seeds drawn for calls that pass none. Default 0. */
  seed?: number;
  /** Ids that end generation (finish reason `eos`); default the tokenizer's EOS. */
  eosTokenIds?: readonly number[];
}

/**
 * A `Policy` (contract v1) over the OpenAI-compatible completions API of vLLM, SGLang, llama.cpp's server or
 * this package's {@link serveCompletions}: each prefix of a `generate` call is one `POST /v1/completions`
 * (token-id prompt, `max_tokens`, sampling, stop strings, top-k `logprobs`, a per-row seed), sent to the least
 * busy server with retries; the responses become `Generation`s with exact token ids, top-k log-probs and the
 * entropy information of {@link OpenAIGeneration}. The rollout engine runs over it unchanged.
 */
export class OpenAIPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly tokenizer: Tokenizer;
  /** The validated settings. */
  readonly config: OpenAIPolicyConfig;
  /** The HTTP side: server pool, retries, counters. */
  readonly client: CompletionsClient;
  private model: string | undefined;
  private modelLookup: Promise<string> | undefined;
  private readonly rng: Rng;
  private readonly eosTokenIds: ReadonlySet<number>;

  constructor(options: OpenAIPolicyOptions) {
    const { tokenizer, seed, eosTokenIds, ...config } = options;
    if (!tokenizer || typeof tokenizer.encode !== 'function') throw new ArpoError('OpenAIPolicy: options.tokenizer is required (the served model\'s tokenizer)');
    this.tokenizer = tokenizer;
    this.config = parseOpenAIPolicyConfig(config);
    this.client = new CompletionsClient(this.config);
    this.model = this.config.model;
    this.rng = createRng(seed ?? 0);
    this.eosTokenIds = new Set(eosTokenIds ?? [tokenizer.eosTokenId]);
  }

  /** `config.contextLength`: the served model's context (the `Policy` contract's optional context length). */
  get contextLength(): number | undefined {
    return this.config.contextLength;
  }

  /** The served model name once known (given, or read from `/v1/models`), else the first server's URL. */
  get modelId(): string {
    return this.model ?? `openai:${this.config.servers[0]}`;
  }

  /** The `model` request field: `config.model`, else the first id of `GET /v1/models` (looked up once). */
  async resolveModel(signal?: AbortSignal): Promise<string> {
    if (this.model) return this.model;
    this.modelLookup ??= this.client.listModels(undefined, signal).then(
      (ids) => (this.model = ids[0]!),
      (error: unknown) => {
        this.modelLookup = undefined;
        throw error;
      },
    );
    return this.modelLookup;
  }

  async generate(request: GenerateRequest): Promise<OpenAIGeneration[]> {
    const { prefixes, maxNewTokens } = request;
    if (typeof maxNewTokens !== 'number' && maxNewTokens.length !== prefixes.length) {
      throw new ArpoError(`OpenAIPolicy.generate: maxNewTokens has ${maxNewTokens.length} entries (expected ${prefixes.length}, or one number)`);
    }
    prefixes.forEach((p, i) => {
      if (p.length === 0) throw new ArpoError(`OpenAIPolicy.generate: prefixes[${i}] is empty (expected at least one token)`);
    });
    const model = await this.resolveModel(request.signal);
    const batchSeed = request.seed ?? this.rng.nextUint32();
    const caps = prefixes.map((_, row) => (typeof maxNewTokens === 'number' ? maxNewTokens : maxNewTokens[row]!));
    // Take the slots of this call's first wave at once, so each server learns how many rows of the batch it gets
    // (`arpo_batch_peers`) and can generate them in one call, as the in-process policy would.
    const leases = new Map<number, ServerLease>();
    for (let row = 0; row < prefixes.length; row++) {
      if (caps[row]! <= 0) continue;
      const lease = this.client.pool.tryAcquire();
      if (!lease) break;
      leases.set(row, lease);
    }
    const peers = new Map<string, number>();
    for (const lease of leases.values()) peers.set(lease.url, (peers.get(lease.url) ?? 0) + 1);
    return Promise.all(
      prefixes.map((prefix, row) => {
        const lease = leases.get(row);
        const wave = lease ? { lease, peers: peers.get(lease.url)! } : undefined;
        return this.generateRow(request, model, batchSeed, row, prefix, caps[row]!, wave);
      }),
    );
  }

  /** Counters per server and retries so far. */
  stats(): ClientStats {
    return this.client.stats();
  }

  /** The request body of one row (exposed for tests and for users who want to see what is sent). */
  requestBody(request: GenerateRequest, model: string, batchSeed: number, row: number, prefix: readonly number[], maxTokens: number): CompletionRequestBody {
    const c = this.config;
    const { temperature, topP, topK } = request.sampling;
    const body: CompletionRequestBody = {
      model,
      prompt: c.tokenIdPrompts ? [...prefix] : this.tokenizer.decode(prefix),
      max_tokens: maxTokens,
      temperature,
      top_p: topP,
      n: 1,
      seed: rowSeed(batchSeed, row),
      logprobs: this.logprobsAsked(request),
    };
    // Explicit "off" (-1) so that a model's generation_config (e.g. Qwen's top_k 20) cannot apply on vLLM / SGLang.
    if (topK > 0 || c.vllmFields) body.top_k = topK > 0 ? topK : -1;
    if (request.stop && request.stop.length > 0) body.stop = [...request.stop];
    if (c.vllmFields) {
      Object.assign(body, { return_tokens_as_token_ids: true, return_token_ids: true, include_stop_str_in_output: true, skip_special_tokens: false, repetition_penalty: 1 });
    }
    if (c.arpoFields) {
      body.arpo_batch_seed = batchSeed >>> 0;
      body.arpo_batch_row = row;
      if (request.returnEntropy) body.arpo_return_entropy = true;
    }
    return Object.assign(body, c.extraBody);
  }

  private logprobsAsked(request: GenerateRequest): number {
    const k = request.topLogprobs ?? 0;
    return request.returnEntropy && this.config.fullEntropyEstimate !== 'none' ? Math.max(k, this.config.entropyTopLogprobs) : k;
  }

  private async generateRow(
    request: GenerateRequest,
    model: string,
    batchSeed: number,
    row: number,
    prefix: readonly number[],
    maxTokens: number,
    wave: { lease: ServerLease; peers: number } | undefined,
  ): Promise<OpenAIGeneration> {
    const k = request.topLogprobs ?? 0;
    if (maxTokens <= 0) return k > 0 ? { tokens: [], logprobs: [], topLogprobs: [], finishReason: 'length' } : { tokens: [], logprobs: [], finishReason: 'length' };
    const body = this.requestBody(request, model, batchSeed, row, prefix, maxTokens);
    const asked = body.logprobs as number;
    const withPeers = wave && this.config.arpoFields ? { ...body, arpo_batch_peers: wave.peers } : body;
    return this.client.post(
      '/v1/completions',
      (_url, attempt) => (attempt === 1 ? withPeers : body),
      (json, url) => {
        const ctx: ParseContext = { url, tokenizer: this.tokenizer, topLogprobs: asked, stop: request.stop ?? [], eosTokenIds: this.eosTokenIds };
        const gen = parseCompletionResponse(json, 1, ctx)[0]!;
        if (!request.returnEntropy) delete gen.entropies;
        if (asked === 0) return gen;
        const out = withEntropyEstimates(gen, gen.topLogprobs!, this.config.vocabSize ?? this.tokenizer.vocabSize, request.returnEntropy ? this.config.fullEntropyEstimate : 'none', url);
        if (k === 0) delete out.topLogprobs;
        else if (asked > k) out.topLogprobs = out.topLogprobs!.map((c) => c.slice(0, k));
        return out;
      },
      { ...(request.signal ? { signal: request.signal } : {}), ...(wave ? { firstLease: wave.lease } : {}) },
    );
  }
}
