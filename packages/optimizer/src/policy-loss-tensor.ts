import * as tf from '@tensorflow/tfjs';
import { ArpoError } from '@arpo/core';
import { clippedSurrogateTensor } from './clipped-surrogate-tensor.js';
import { klPenaltyTensor } from './kl-penalty-tensor.js';
import type { PolicyLossConfig } from './policy-loss.js';

/** Tensors of one (micro-)batch, all of the same shape `[b, L]`. */
export interface PolicyLossTensorInput {
  /** log πθ (differentiable: the output of `scoreTokens`). */
  logprobs: tf.Tensor;
  oldLogprobs: tf.Tensor;
  advantages: tf.Tensor;
  /** Loss mask (0/1 float). */
  mask: tf.Tensor;
  /** Aggregation weights w ({@link aggregationWeights} of the mini-batch scope). */
  weights: tf.Tensor;
  refLogprobs?: tf.Tensor | undefined;
  entropies?: tf.Tensor | undefined;
}

/**
 * {@link policyLoss} on device: loss = Σ w·(L_pg + klCoef·KL − entropyCoef·H), differentiable w.r.t.
 * `logprobs` (and `entropies`), plus the {@link POLICY_STATS} sums as one `[11]` tensor (read back once per
 * micro-batch). Call inside a gradient scope or `tf.tidy`; the caller owns `loss` and `stats`.
 */
export function policyLossTensor(input: PolicyLossTensorInput, config: PolicyLossConfig): { loss: tf.Scalar; stats: tf.Tensor1D } {
  if (config.klCoef > 0 && !input.refLogprobs) throw new ArpoError(`policyLossTensor: klCoef = ${config.klCoef} needs refLogprobs`);
  if (config.entropyCoef > 0 && !input.entropies) throw new ArpoError(`policyLossTensor: entropyCoef = ${config.entropyCoef} needs entropies`);
  return tf.tidy(() => {
    const { logprobs, mask, weights } = input;
    const s = clippedSurrogateTensor(logprobs, input.oldLogprobs, input.advantages, config);
    const kl = input.refLogprobs ? klPenaltyTensor(logprobs, input.refLogprobs, config.klEstimator) : undefined;
    const h = input.entropies;
    let perToken = s.losses;
    if (kl && config.klCoef > 0) perToken = tf.add(perToken, tf.mul(kl, config.klCoef));
    if (h && config.entropyCoef > 0) perToken = tf.sub(perToken, tf.mul(h, config.entropyCoef));
    const wsum = (x: tf.Tensor): tf.Scalar => tf.sum(tf.mul(x, weights));
    const msum = (x: tf.Tensor): tf.Scalar => tf.sum(tf.mul(x, mask));
    const zero = tf.scalar(0);
    const loss = wsum(perToken);
    const stats = tf.stack([
      loss,
      wsum(s.losses),
      kl ? wsum(kl) : zero,
      h ? wsum(h) : zero,
      tf.sum(mask),
      msum(s.low),
      msum(s.high),
      msum(s.dual),
      tf.neg(msum(s.logRatio)),
      kl ? msum(kl) : zero,
      h ? msum(h) : zero,
    ]) as tf.Tensor1D;
    return { loss, stats };
  });
}

/**
 * {@link sftLoss} on device: Σ w·(−log πθ) with the aggregation weights (token-mean: −Σ m·log π / Σ m).
 */
export function sftLossTensor(logprobs: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(logprobs, weights))) as tf.Scalar);
}
