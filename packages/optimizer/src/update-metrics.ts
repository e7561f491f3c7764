import type { LossConfig } from '@arpo/core';
import type { PolicyLossMetrics } from './policy-loss.js';

/** Wall-clock split of an update (milliseconds). */
export interface UpdateTimings {
  /** Old log-probs (recompute) and reference log-probs: no-grad forward passes. */
  logprobsMs: number;
  /** Forward + backward of every micro-batch (gradient accumulation and the NaN checks included). */
  backwardMs: number;
  /** Global grad norm, clipping and the AdamW steps. */
  optimizerMs: number;
  totalMs: number;
}

/** One optimizer step (one PPO mini-batch of one epoch). */
export interface StepMetrics {
  epoch: number;
  miniBatch: number;
  /** The aggregated mini-batch loss. */
  loss: number;
  /** Global L2 norm of the accumulated gradient, before clipping. */
  gradNorm: number;
  /** The clip factor applied (1 = not clipped). */
  clipScale: number;
  lr: number;
  sequences: number;
  tokens: number;
}

/** How far the old log-probs used are from the sampler's (spec §5: the reference recomputes them). */
export interface OldLogprobDiff {
  /** Mean |log π_recomputed − log π_sampler| over trained tokens where both are known. */
  meanAbs: number;
  /** The largest such difference. */
  max: number;
  /** Tokens compared. */
  tokens: number;
}

/**
 * Metrics of one {@link PolicyOptimizer.update} (verl's `actor/*` metrics). The clip fractions, approx KL, KL
 * and entropy of {@link PolicyLossMetrics} are token-means over all trained tokens of all epochs.
 */
export interface UpdateMetrics extends Omit<PolicyLossMetrics, 'tokens'> {
  /** Mean over optimizer steps of the aggregated loss (pgLoss + klCoef·klLoss − entropyCoef·entropyLoss). */
  loss: number;
  /** Mean over optimizer steps of the aggregated clipped surrogate. */
  pgLoss: number;
  /** Mean over optimizer steps of the aggregated KL estimator (when a reference policy is set). */
  klLoss?: number;
  /** Mean over optimizer steps of the aggregated entropy (when the policy returns entropies). */
  entropyLoss?: number;
  /** Mean over optimizer steps of the pre-clip global gradient norm. */
  gradNorm: number;
  /** Largest pre-clip global gradient norm of the update. */
  gradNormMax: number;
  /** The learning rate of this update (one schedule step per update, as verl). */
  lr: number;
  /** Trained tokens (Σ loss mask) in the batch, one epoch. */
  tokens: number;
  /** Response tokens (trained and tool results) in the batch. */
  responseTokens: number;
  sequences: number;
  prompts: number;
  optimizerSteps: number;
  /** Micro-batches run (all epochs; micro-batches without trained tokens are skipped). */
  microBatches: number;
  oldLogprobSource: LossConfig['oldLogprobSource'];
  /**
   * Old vs sampler log-probs. `recompute`: over every sample with `samplerLogprobs`. `sampler`: the
   * policy's own log-probs in the first mini-batch (before any step, i.e. the recomputed ones) vs the
   * sampler's. Absent when no sampler log-probs were given.
   */
  oldLogprobDiff?: OldLogprobDiff;
  steps: StepMetrics[];
  timings: UpdateTimings;
}

/** Metrics of one {@link PolicyOptimizer.sftStep}. */
export interface SftMetrics {
  /** The aggregated negative log-likelihood (token-mean by default) before the step. */
  loss: number;
  gradNorm: number;
  clipScale: number;
  lr: number;
  tokens: number;
  sequences: number;
  microBatches: number;
  timings: UpdateTimings;
}
