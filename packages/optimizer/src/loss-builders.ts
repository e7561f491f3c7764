import * as tf from '@tensorflow/tfjs';
import type { TokenScores } from '@arpo/core';
import type { BuiltLoss, MicroInput } from './gradient-accumulator.js';
import type { PolicyLossConfig } from './policy-loss.js';
import { policyLossTensor, sftLossTensor } from './policy-loss-tensor.js';

/**
 * Which loss a micro-batch is differentiated through, as plain data: gradient workers rebuild the same loss
 * from it on their own thread ({@link lossBuilder}).
 * - `sft`: the masked SFT NLL (spec §7.1); sums = [loss, tokens].
 * - `policy`: the clipped-surrogate policy loss (spec §5) with its `POLICY_STATS` sums; with `measureDiff`
 *   one more sum (Σ |log πθ − old| over trained tokens) and one maximum (its max).
 */
export type LossSpec = { kind: 'sft' } | { kind: 'policy'; loss: PolicyLossConfig; measureDiff: boolean };

/** The micro-batch loss function of a {@link LossSpec}. */
export function lossBuilder(spec: LossSpec): (scores: TokenScores<tf.Tensor>, m: MicroInput) => BuiltLoss {
  if (spec.kind === 'sft') {
    return (scores, m) => {
      const loss = sftLossTensor(scores.logprobs, tf.tensor2d(m.weights, m.shape));
      return { loss, sums: tf.stack([loss, tf.scalar(m.tokens)]) as tf.Tensor1D };
    };
  }
  return (scores, m) => {
    const t = (a: Float32Array): tf.Tensor2D => tf.tensor2d(a, m.shape);
    const mask = t(m.mask);
    const old = t(m.old!);
    const { loss, stats } = policyLossTensor(
      {
        logprobs: scores.logprobs,
        oldLogprobs: old,
        advantages: t(m.advantages!),
        mask,
        weights: t(m.weights),
        refLogprobs: m.ref ? t(m.ref) : undefined,
        entropies: scores.entropies,
      },
      spec.loss,
    );
    if (!spec.measureDiff) return { loss, sums: stats };
    const absDiff = tf.mul(tf.abs(tf.sub(scores.logprobs, old)), mask);
    return { loss, sums: tf.concat([stats, tf.reshape(tf.sum(absDiff), [1])]) as tf.Tensor1D, maxima: tf.reshape(tf.max(absDiff), [1]) as tf.Tensor1D };
  };
}
