import type { Policy } from './policy.js';

/** A batch of (prompt, response) pairs to score, e.g. a micro-batch of trajectories. */
export interface ScoreRequest {
  /** One entry per sequence. */
  sequences: readonly { promptTokens: readonly number[]; responseTokens: readonly number[] }[];
  /** Also return the full-distribution entropy per response position (for the entropy bonus / metric). */
  withEntropy?: boolean;
  /**
   * Score under softmax(z / T). The reference recomputes old and reference log-probs at the rollout
   * temperature. Default: the policy's own setting (1 unless configured).
   */
  temperature?: number;
}

/**
 * Differentiable per-token scores of a batch. Tensors are `[batch, maxResponseLength]`, right-padded with 0
 * past each sequence's response length. `T` is the backend's tensor type (e.g. a tfjs `Tensor`).
 */
export type TokenScores<T> = {
  /** log πθ(response token | prefix), with gradient to the trainable variables. */
  logprobs: T;
  /** Entropy of πθ(· | prefix) in nats per response position, when asked. */
  entropies?: T;
};
// A type alias, not an interface: tfjs's `tf.tidy(() => …)` needs an index-signature-compatible result type.

/**
 * A policy whose parameters the optimizer can update (the `TrainablePolicy` contract, version 1).
 * `T` is the tensor type, `V` the variable type of its backend. The optimizer calls {@link scoreTokens}
 * inside its gradient scope and differentiates the loss w.r.t. {@link trainableVariables}.
 */
export interface TrainablePolicy<T = unknown, V = unknown> extends Policy {
  /** Differentiable per-token log-probs (and optionally entropies) of given responses. */
  scoreTokens(request: ScoreRequest): TokenScores<T>;
  /** Plain per-token log-probs without gradient (old / reference log-probs), one array per sequence. */
  logprobs(request: ScoreRequest): Promise<number[][]>;
  /** The variables the optimizer updates. */
  trainableVariables(): V[];
  /** Writes a checkpoint (weights + config) to a folder. */
  save(directory: string): Promise<void>;
}
