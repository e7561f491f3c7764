import type { SamplingParams } from '@arpo/core';

/** Where a seeded request's rows sit in the batch whose seed it names. */
export interface JobSeed {
  /** Seed of the `generate` call the rows belong to. */
  batch: number;
  /** Batch index of the request's first row; the others follow. */
  row: number;
  /** The request's own `seed` (used when seeded requests are not merged). */
  own: number;
  /** Rows of the batch the client sent to this server together (`arpo_batch_peers`, default 1). */
  peers: number;
}

/** A validated `/v1/completions` request, as the server schedules it. */
export interface CompletionJob {
  /** Prompts as token ids, one per prompt. */
  prompts: number[][];
  /** Completions per prompt. */
  n: number;
  /** New-token cap per completion. */
  maxTokens: number;
  /** Sampling parameters (top_k 0 = off). */
  sampling: SamplingParams;
  /** Stop strings, in the request's order. */
  stop: string[];
  /** Top log-probs per position; `null` = no log-probs at all. */
  logprobs: number | null;
  /** Write tokens as `token_id:<id>` strings (vLLM's `return_tokens_as_token_ids`). */
  tokenIdStrings: boolean;
  /** Drop special tokens from `text` (vLLM's default true); the ids keep them. */
  skipSpecialTokens: boolean;
  /** Also return full-distribution entropies (`arpo_return_entropy`). */
  returnEntropy: boolean;
  /**
   * Keep a matched stop string at the end of `text` (vLLM's `include_stop_str_in_output`, SGLang's
   * `no_stop_trim`); default false, as OpenAI and vLLM. `token_ids` and log-probs always keep its tokens.
   */
  includeStopString: boolean;
  /** Present when the request is seeded. */
  seed?: JobSeed;
}

/** The prefixes of a job's rows: each prompt n times, prompt-major (choice index = prompt · n + sample). */
export function jobRows(job: CompletionJob): number[][] {
  return job.prompts.flatMap((p) => Array.from({ length: job.n }, () => p));
}
