import * as tf from '@tensorflow/tfjs';

/** RMSNorm (Llama/Qwen2): x · rsqrt(mean(x², last axis) + ε) · weight, in float32. */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight);
}

/** x · rsqrt(mean(x², last axis) + ε) without a gain (inference folds the gain into the next matmul). */
export function rmsNormalize(x: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)));
}
