import * as tf from '@tensorflow/tfjs';
import { ArpoError, type KlEstimator } from '@arpo/core';
import { K3_CLAMP, K3_LOG_RATIO_CLAMP } from './kl-penalty.js';

/**
 * {@link klToken} on tensors (same shape): k1 = d, k2 = ½·d², k3 = clamp(e^{x} − x − 1, ±10) with
 * x = clamp(log π_ref − log πθ, ±20), where d = log πθ − log π_ref. Differentiable w.r.t. both inputs.
 */
export function klPenaltyTensor(logprobs: tf.Tensor, refLogprobs: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  return tf.tidy(() => {
    switch (estimator) {
      case 'k1':
        return tf.sub(logprobs, refLogprobs);
      case 'k2':
        return tf.mul(0.5, tf.square(tf.sub(logprobs, refLogprobs)));
      case 'k3': {
        const x = tf.clipByValue(tf.sub(refLogprobs, logprobs), -K3_LOG_RATIO_CLAMP, K3_LOG_RATIO_CLAMP);
        return tf.clipByValue(tf.sub(tf.sub(tf.exp(x), x), 1), -K3_CLAMP, K3_CLAMP);
      }
      default:
        throw new ArpoError(`klPenaltyTensor: estimator = ${String(estimator)} (expected k1, k2 or k3)`);
    }
  });
}
