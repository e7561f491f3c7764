import * as tf from '@tensorflow/tfjs';
import { checkClipParams, LOG_RATIO_CLAMP, type ClipParams } from './clipped-surrogate.js';

/** The per-token surrogate on device, and 0/1 float indicators of the active clip branch. */
export interface ClippedSurrogateTensors {
  /**
   * Per-token loss, differentiable w.r.t. log πθ (`dual-clip`: zero gradient on clipped tokens; `entropy-balanced`:
   * −(1 + ε_high)·A on `high` ones).
   */
  losses: tf.Tensor;
  /** 1 where A < 0 and the PPO clip holds ρ at 1 − ε_low. */
  low: tf.Tensor;
  /** 1 where A > 0 and the PPO clip holds ρ at 1 + ε_high. */
  high: tf.Tensor;
  /** 1 where A < 0 and dual-clip caps the loss at −A·c. */
  dual: tf.Tensor;
  /** clamp(log πθ − log π_old, ±20). */
  logRatio: tf.Tensor;
}

/**
 * The clipped surrogate with dual-clip on tensors of any (equal) shape; same equations and branch rules as
 * {@link surrogateToken} (spec §5): ρ = exp(clamp(log πθ − log π_old, ±20)), L1 = −A·ρ,
 * L2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high), Lclip = max(L1, L2), and for A < 0: min(Lclip, −A·c).
 * Only elementwise ops that have gradients on every backend (wasm included). Call inside `tf.tidy` or a
 * gradient scope; the caller owns the returned tensors.
 */
export function clippedSurrogateTensor(logprobs: tf.Tensor, oldLogprobs: tf.Tensor, advantages: tf.Tensor, clip: ClipParams): ClippedSurrogateTensors {
  checkClipParams('clippedSurrogateTensor', clip);
  return tf.tidy(() => {
    const logRatio = logRatioTensor(logprobs, oldLogprobs);
    const ratio = tf.exp(logRatio); // ρ
    const clamped = tf.clipByValue(ratio, 1 - clip.clipRatioLow, 1 + clip.clipRatioHigh); // clip(ρ, 1 − ε_low, 1 + ε_high)
    return { ...surrogateTensorFromClamped(advantages, ratio, clamped, clip.clipRatioC), logRatio };
  });
}

/** log ρ = clamp(log πθ − log π_old, ±20). */
export function logRatioTensor(logprobs: tf.Tensor, oldLogprobs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.sub(logprobs, oldLogprobs), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
}

/**
 * The surrogate from ρ and the clamped ratio (whose gradient decides the clipped tokens' gradient): L1 = −A·ρ,
 * L2 = −A·clamped, Lclip = max(L1, L2), for A < 0 min(Lclip, −A·c); with the branch indicators (L2 > L1: PPO-clipped,
 * `low` for A < 0, `high` for A > 0; A < 0 and Lclip > −A·c: `dual`). Shared by `dual-clip` and `entropy-balanced`.
 */
export function surrogateTensorFromClamped(advantages: tf.Tensor, ratio: tf.Tensor, clamped: tf.Tensor, c: number): Omit<ClippedSurrogateTensors, 'logRatio'> {
  return tf.tidy(() => {
    const negA = tf.neg(advantages); // −A
    const l1 = tf.mul(negA, ratio); // L1 = −A·ρ
    const l2 = tf.mul(negA, clamped); // L2
    const lclip = tf.maximum(l1, l2);
    const l3 = tf.mul(negA, c); // −A·c
    const negative = tf.less(advantages, 0);
    const losses = tf.where(negative, tf.minimum(lclip, l3), lclip);
    const clipped = tf.greater(l2, l1);
    const low = tf.cast(tf.logicalAnd(clipped, negative), 'float32');
    const high = tf.cast(tf.logicalAnd(clipped, tf.greater(advantages, 0)), 'float32');
    const dual = tf.cast(tf.logicalAnd(negative, tf.greater(lclip, l3)), 'float32');
    return { losses, low, high, dual };
  });
}
