import { parseConfig } from '@arpo/core';
import { z } from 'zod';

/** Settings of a completions server (everything but the policy). */
export const CompletionsServerConfigSchema = z.strictObject({
  /** The model name of `/v1/models` and the `model` field; default the policy's `modelId`. */
  modelName: z.string().min(1).optional(),
  /** Interface to listen on. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one (read it from `url`). */
  port: z.number().int().min(0).max(65_535).default(8000),
  /** Rows (prompts × n) per `generate` call at most. */
  maxBatchRows: z.number().int().min(1).default(256),
  /** How long an idle server waits for more requests before it starts a round, ms (merges concurrent requests). */
  batchWindowMs: z.number().min(0).default(2),
  /**
   * How long a seeded batch waits for the rest of the rows its client announced (`arpo_batch_peers`), ms; then
   * it runs with the rows that came (the tokens stay the same; only the merging is lost).
   */
  maxBatchWaitMs: z.number().min(0).default(500),
  /**
   * `row-index`: seeded requests of one client batch (same `arpo_batch_seed`) share one `generate` call, each row
   * at its `arpo_batch_row`: the tokens equal the in-process policy's for policies with one RNG stream per row
   * index (`TfjsPolicy`). `separate`: each seeded request runs alone with its own `seed`.
   */
  seededBatching: z.enum(['row-index', 'separate']).default('row-index'),
  /** Highest `logprobs` a request may ask for (vLLM's default is 20). */
  maxLogprobs: z.number().int().min(0).default(20),
  /** Highest `n`. */
  maxN: z.number().int().min(1).default(64),
  /** Sequences remembered for automatic prefix caching (KV-cache reuse across requests); 0 disables it. */
  maxCachedSequences: z.number().int().min(0).default(256),
  /** Seed of the batch seeds of unseeded requests. */
  seed: z.number().int().default(0),
  /** Largest request body accepted, bytes. */
  maxBodyBytes: z.number().int().min(1).default(32 * 1024 * 1024),
});

/** Validated {@link CompletionsServerConfigSchema}. */
export type CompletionsServerConfig = z.infer<typeof CompletionsServerConfigSchema>;
/** {@link CompletionsServerConfigSchema} as written by users. */
export type CompletionsServerConfigInput = z.input<typeof CompletionsServerConfigSchema>;

/** Validates a server's settings; an invalid one throws `ArpoConfigError` naming the field. */
export function parseCompletionsServerConfig(input: unknown): CompletionsServerConfig {
  return parseConfig(CompletionsServerConfigSchema, input, 'completions server config');
}
