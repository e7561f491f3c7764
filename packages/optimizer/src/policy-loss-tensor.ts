import * as tf from '@tensorflow/tfjs';
import { ArpoError } from '@arpo/core';
import { logRatioTensor } from './clipped-surrogate-tensor.js';
import { entropyAwareAdvantagesTensor } from './entropy-advantage-tensor.js';
import { klPenaltyTensor } from './kl-penalty-tensor.js';
import type { PolicyLossConfig } from './policy-loss.js';
import { policyLosses } from './policy-losses.js';

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
  /** H per position (differentiable for the entropy bonus; taken as a constant by the entropy-aware advantage). */
  entropies?: tf.Tensor | undefined;
}

/**
 * {@link policyLoss} on device: loss = Σ w·(L_pg(ρ, Ã) + klCoef·KL − entropyCoef·H), differentiable w.r.t.
 * `logprobs` (and `entropies`, through the entropy bonus only), plus the {@link POLICY_STATS} sums as one `[11]` tensor
 * (read back once per micro-batch). L_pg is the `policyLoss` of the registry ({@link policyLosses}), KL the
 * `klEstimator` ({@link klEstimators}); Ã = A·(1 + a·z(H)) with a = `entropyAdvantageWeight` > 0 and z over the
 * trained tokens of *these* tensors (in training: one micro-batch), else A. Call inside a gradient scope or `tf.tidy`;
 * the caller owns `loss` and `stats`.
 */
export function policyLossTensor(input: PolicyLossTensorInput, config: PolicyLossConfig): { loss: tf.Scalar; stats: tf.Tensor1D } {
  if (config.klCoef > 0 && !input.refLogprobs) throw new ArpoError(`policyLossTensor: klCoef = ${config.klCoef} needs refLogprobs`);
  if (config.entropyCoef > 0 && !input.entropies) throw new ArpoError(`policyLossTensor: entropyCoef = ${config.entropyCoef} needs entropies`);
  const a = config.entropyAdvantageWeight;
  if (a > 0 && !input.entropies) throw new ArpoError(`policyLossTensor: entropyAdvantageWeight = ${a} needs entropies (the policy returned none)`);
  const rule = policyLosses.get(config.policyLoss);
  return tf.tidy(() => {
    const { logprobs, mask, weights } = input;
    const advantages = a > 0 ? entropyAwareAdvantagesTensor(input.advantages, input.entropies!, mask, a) : input.advantages; // Ã
    const s = rule.tensors({ logprobs, oldLogprobs: input.oldLogprobs, advantages, mask }, config);
    const logRatio = s.logRatio ?? logRatioTensor(logprobs, input.oldLogprobs); // log ρ, for the approx-KL metric
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
      tf.neg(msum(logRatio)),
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
