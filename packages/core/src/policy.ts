import type { Tokenizer } from './tokenizer.js';

/** One candidate of a position's top-k distribution. */
export interface TokenLogprob {
  /** Token id. */
  token: number;
  /** Natural-log probability under the sampling distribution (after temperature). */
  logprob: number;
}

/** Sampling parameters shared by every sequence of a request. */
export interface SamplingParams {
  /** Temperature T; 0 means greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 disables. */
  topP: number;
  /** Keep the k most likely tokens; 0 disables. */
  topK: number;
}

/** A batch of continuations to generate (spec §2.2 step 1). */
export interface GenerateRequest {
  /**
   * Full token prefixes (prompt + response so far), one per sequence; lengths may differ. A policy with a
   * cache may reuse work for a prefix it has seen under the same `sequenceIds` entry.
   */
  prefixes: readonly (readonly number[])[];
  /**
   * Stable ids of the sequences, aligned with `prefixes` (the rollout engine passes trajectory ids).
   * Lets a policy keep a KV cache per sequence across rounds; see {@link Policy.fork} and {@link Policy.release}.
   */
  sequenceIds?: readonly string[];
  /** New-token cap: one number for all sequences or one per sequence. */
  maxNewTokens: number | readonly number[];
  /** Stop strings (e.g. `</search>`); the stop string is included in the output tokens. */
  stop?: readonly string[];
  sampling: SamplingParams;
  /** Top-k log-probs to return per generated position (0 = none). The reference asks for 10. */
  topLogprobs?: number;
  /** Return the full-distribution entropy per generated position, when the policy can (in-process models). */
  returnEntropy?: boolean;
  /** Seed of this call's sampling; the same seed and prefixes give the same tokens. */
  seed?: number;
  /** Abort the call. */
  signal?: AbortSignal;
}

/** Why generation of one sequence stopped. */
export type GenerationFinishReason = 'eos' | 'stop' | 'length';

/**
 * The continuation of one sequence. All per-position arrays have `tokens.length` entries. Log-probs and
 * entropies describe softmax(z / T) before top-k / top-p truncation; at T = 0 (greedy) they are reported at
 * T = 1.
 */
export interface Generation {
  /** Generated token ids, including the EOS or the tokens of the stop string when one ended it. */
  tokens: number[];
  /** Log-prob of each generated token under the sampling distribution. */
  logprobs: number[];
  /** Full-distribution entropy in nats per position (when `returnEntropy` was asked and supported). */
  entropies?: number[];
  /** Top-k candidates per position (when `topLogprobs` > 0). */
  topLogprobs?: TokenLogprob[][];
  finishReason: GenerationFinishReason;
  /** The stop string matched when `finishReason` is `stop`. */
  stopString?: string;
}

/**
 * A language model the rollout engine samples from (the `Policy` contract, version 1). Implemented by
 * `@arpo/policy-tfjs` (in-process) and `@arpo/policy-openai` (vLLM / SGLang / llama.cpp servers).
 */
export interface Policy {
  /** Contract version; bumped on breaking changes. */
  readonly specificationVersion: 'v1';
  /** Human-readable model id, recorded in run metadata. */
  readonly modelId: string;
  /** The tokenizer whose ids this policy reads and writes. */
  readonly tokenizer: Tokenizer;
  /**
   * Optional: the most tokens a sequence may hold (prompt + response, e.g. HF `max_position_embeddings`).
   * Multi-turn callers check it before each call: a trajectory whose next prefix would not fit ends with finish
   * reason `length` instead of failing the call.
   */
  readonly contextLength?: number;
  /** Generates one continuation per prefix, results aligned with `request.prefixes`. */
  generate(request: GenerateRequest): Promise<Generation[]>;
  /**
   * Optional: the sequence `childId` continues from the current state of `parentId` (a branch). A policy
   * with a KV cache copies the parent's cache instead of recomputing the shared prefix.
   */
  fork?(parentId: string, childId: string): void | Promise<void>;
  /** Optional: `sequenceId` will not be continued again; free its cache. */
  release?(sequenceId: string): void | Promise<void>;
}
