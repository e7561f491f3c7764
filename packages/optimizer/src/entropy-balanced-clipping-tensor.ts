import * as tf from '@tensorflow/tfjs';
import { checkClipParams, type ClipParams } from './clipped-surrogate.js';
import { logRatioTensor, surrogateTensorFromClamped, type ClippedSurrogateTensors } from './clipped-surrogate-tensor.js';
import { stopGradient } from './stop-gradient.js';

/**
 * AEPO's entropy-balanced clipping on tensors (see {@link entropyBalancedToken} for the equations):
 * L2 = −A·clamp(ρ, 1 − ε_low, (1 + ε_high)·ρ/sg(ρ)), the clamp written as min(max(ρ, min_bound), max_bound) so
 * that, like torch.clamp with tensor bounds, the gradient goes to ρ inside the bounds, to max_bound above it and
 * to the constant min_bound (none) below it. The loss value and the branch indicators equal
 * {@link clippedSurrogateTensor}'s; a token with A > 0 and ρ > 1 + ε_high gets the gradient
 * −(1 + ε_high)·A·∇log πθ instead of 0. Applied to every token, as the reference code does. Call inside `tf.tidy`
 * or a gradient scope; the caller owns the returned tensors.
 */
export function entropyBalancedSurrogateTensor(logprobs: tf.Tensor, oldLogprobs: tf.Tensor, advantages: tf.Tensor, clip: ClipParams): ClippedSurrogateTensors {
  checkClipParams('entropyBalancedSurrogateTensor', clip);
  return tf.tidy(() => {
    const logRatio = logRatioTensor(logprobs, oldLogprobs);
    const ratio = tf.exp(logRatio); // ρ
    const maxBound = tf.mul(tf.div(ratio, stopGradient(ratio)), 1 + clip.clipRatioHigh); // (1 + ε_high)·ρ/sg(ρ), value 1 + ε_high
    const clamped = tf.minimum(tf.maximum(ratio, 1 - clip.clipRatioLow), maxBound); // clamp(ρ, min_bound, max_bound)
    return { ...surrogateTensorFromClamped(advantages, ratio, clamped, clip.clipRatioC), logRatio };
  });
}
