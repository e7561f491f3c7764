import type { LossAggregation } from '@arpo/core';
import { aggregationScope, aggregationWeights, weightedSum, type AggregationScope } from './aggregation.js';
import { checkLength, checkShape, type Shape2D } from './checks.js';

/** Inputs of the SFT loss: aligned flat `[B, L]` arrays. */
export interface SftLossInput {
  /** log πθ of each response token. */
  logprobs: ArrayLike<number>;
  /** 1 = model token (trained on), 0 = tool result or padding (excluded). */
  mask: ArrayLike<number>;
  shape: Shape2D;
}

/** Options of {@link sftLoss}. */
export interface SftLossOptions {
  /** Default `token-mean`: the masked mean negative log-likelihood (HF / LLaMA-Factory). */
  aggregation?: LossAggregation;
  /** N of `seq-mean-token-sum-norm` (default L). */
  aggregationNormalizer?: number;
}

/**
 * The cold-start SFT loss (spec §7.1): masked cross-entropy on model tokens only, ℓ_{i,t} = −log πθ(y_t | y_<t),
 * aggregated over the loss mask (default token-mean: −Σ m·log π / Σ m). Tool-result tokens have mask 0 and
 * never contribute. Float64 reference of {@link sftLossTensor}.
 */
export function sftLoss(input: SftLossInput, options: SftLossOptions = {}, scope?: AggregationScope): { loss: number; tokens: number } {
  checkShape('sftLoss', input.shape);
  checkLength('sftLoss', 'logprobs', input.logprobs, input.shape[0] * input.shape[1]);
  const s = scope ?? aggregationScope(input.mask, input.shape, options.aggregationNormalizer);
  const w = aggregationWeights(input.mask, input.shape, options.aggregation ?? 'token-mean', s);
  const nll = Float64Array.from(input.logprobs, (x) => -x);
  let tokens = 0;
  for (let i = 0; i < input.mask.length; i++) tokens += input.mask[i]!;
  return { loss: weightedSum(nll, w), tokens };
}
