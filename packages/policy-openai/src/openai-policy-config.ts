import { parseConfig } from '@arpo/core';
import { z } from 'zod';
import { RetryConfigSchema } from './retry-config.js';

/** A server base URL such as `http://gpu-1:8000` (a trailing `/` or `/v1` is dropped). */
const BaseUrl = z
  .url({ protocol: /^https?$/ })
  .transform((url) => url.replace(/\/+$/, '').replace(/\/v1$/, ''));

/** Settings of an {@link OpenAIPolicy} (everything but the tokenizer). */
export const OpenAIPolicyConfigSchema = z.strictObject({
  /** Base URLs of the servers, e.g. `['http://gpu-1:8000', 'http://gpu-2:8000']`. Requests go to the least busy. */
  servers: z.array(BaseUrl).min(1),
  /** Served model name (the `model` request field); default: the first id of the first server's `GET /v1/models`. */
  model: z.string().min(1).optional(),
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey: z.string().optional(),
  /** Extra HTTP headers of every request. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Requests in flight per server; more wait for a free slot (on any server). */
  maxConcurrencyPerServer: z.number().int().min(1).default(256),
  /** Timeout of one HTTP attempt, ms (the request's own AbortSignal still applies). */
  timeoutMs: z.number().positive().default(300_000),
  /** Retries with exponential backoff. */
  retry: RetryConfigSchema.prefault({}),
  /** A server that failed (connection error, timeout, 429, 5xx) gets no new request for this long, ms, while another is up. */
  serverCooldownMs: z.number().min(0).default(2_000),
  /** Send prompts as token ids (vLLM, SGLang); false sends the decoded text (servers without token-id prompts). */
  tokenIdPrompts: z.boolean().default(true),
  /**
   * Send vLLM's request extensions: `top_k` (-1 when off), `return_tokens_as_token_ids`, `return_token_ids`,
   * `include_stop_str_in_output`, `skip_special_tokens: false`, `repetition_penalty: 1`. Servers that reject
   * unknown fields need false (and then must return exact token ids some other way).
   */
  vllmFields: z.boolean().default(true),
  /**
   * Send this package's server extensions (`arpo_batch_seed`, `arpo_batch_row`, `arpo_return_entropy`) so that
   * a served policy reproduces the in-process policy's samples; other servers ignore them.
   */
  arpoFields: z.boolean().default(true),
  /**
   * When the caller asks for full entropies (`returnEntropy`) and the server sends none: `none` returns none
   * (the rollout engine then asks for `entropySource: 'top-k'`), or fill them with the lower / upper bound or
   * the midpoint of the bounds that the top-k log-probs allow.
   */
  fullEntropyEstimate: z.enum(['none', 'lower', 'upper', 'midpoint']).default('none'),
  /** Top log-probs requested for a `fullEntropyEstimate` when the caller asked for fewer (vLLM's default cap is 20). */
  entropyTopLogprobs: z.number().int().min(1).default(20),
  /**
   * The served model's context in tokens (vLLM's `max_model_len`, which `GET /v1/models` lists), exposed as the
   * `Policy` contract's `contextLength` so that callers (rollout engine, evaluation) end a trajectory at the
   * context instead of sending a prompt the server must reject. Unset: callers cannot check.
   */
  contextLength: z.number().int().min(1).optional(),
  /** V of the entropy bounds and normalisation; default the tokenizer's `vocabSize`. */
  vocabSize: z.number().int().min(1).optional(),
  /** Extra fields merged into every request body (e.g. SGLang's `no_stop_trim: true`). */
  extraBody: z.record(z.string(), z.unknown()).default({}),
});

/** Validated {@link OpenAIPolicyConfigSchema}. */
export type OpenAIPolicyConfig = z.infer<typeof OpenAIPolicyConfigSchema>;
/** {@link OpenAIPolicyConfigSchema} as written by users. */
export type OpenAIPolicyConfigInput = z.input<typeof OpenAIPolicyConfigSchema>;

/** Validates an {@link OpenAIPolicy}'s settings; an invalid one throws `ArpoConfigError` naming the field. */
export function parseOpenAIPolicyConfig(input: unknown): OpenAIPolicyConfig {
  return parseConfig(OpenAIPolicyConfigSchema, input, 'OpenAIPolicy config');
}
