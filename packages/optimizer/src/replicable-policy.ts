import type * as tf from '@tensorflow/tfjs';
import type { GenerateRequest, Generation, Policy, TrainablePolicy } from '@arpo/core';

/**
 * How a worker thread builds a copy of a policy: it imports `module` (an absolute `file:` URL or a package
 * name), calls its export `factory` with `options` (structured-cloneable data) and awaits the policy. The
 * weights are not part of it: the pool copies them into the replica before every gradient computation.
 */
export interface PolicyReplicaSpec {
  module: string;
  factory: string;
  options: unknown;
}

/**
 * A tfjs `TrainablePolicy` that can be copied into worker threads for data-parallel gradients (e.g.
 * `@arpo/policy-tfjs`'s `TfjsPolicy`). The replica's `trainableVariables()` must list the same names and shapes
 * in the same order.
 */
export interface ReplicablePolicy extends TrainablePolicy<tf.Tensor, tf.Variable> {
  replicaSpec(): PolicyReplicaSpec;
  /**
   * Sequences per forward pass of `logprobs`, when it scores in fixed chunks: lanes then get whole chunks, so the
   * log-probs are the same numbers as one call would give.
   */
  readonly scoreBatchSize?: number;
}

/** True when `policy` can be replicated into gradient workers. */
export function isReplicablePolicy(policy: TrainablePolicy<tf.Tensor, tf.Variable>): policy is ReplicablePolicy {
  return typeof (policy as Partial<ReplicablePolicy>).replicaSpec === 'function';
}

/**
 * A policy whose rows sample from per-row RNG streams keyed by the row's index, and that takes each row's index in
 * a larger request (`TfjsPolicy` does): a request split over several copies then samples exactly as the whole.
 */
export interface RowSplitPolicy extends Policy {
  readonly samplesByRowIndex: true;
  generate(request: GenerateRequest, options?: { rowIndices?: readonly number[] }): Promise<Generation[]>;
}

/** True when `policy` can generate parts of a request with their original row indices. */
export function isRowSplitPolicy(policy: Policy): policy is RowSplitPolicy {
  return (policy as Partial<RowSplitPolicy>).samplesByRowIndex === true;
}
