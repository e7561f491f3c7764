import * as tf from '@tensorflow/tfjs';
import type { KlEstimator } from '@arpo/core';
import { klEstimators } from './kl-estimators.js';

/**
 * {@link klToken} on tensors (same shape) with the estimator named `estimator` ({@link klEstimators}): k1 = d,
 * k2 = ½·d², k3 = clamp(e^{x} − x − 1, ±10) with x = clamp(log π_ref − log πθ, ±20), where d = log πθ − log π_ref.
 * Differentiable w.r.t. both inputs. An unknown name throws an `ArpoConfigError` naming `arpo.loss.klEstimator`.
 */
export function klPenaltyTensor(logprobs: tf.Tensor, refLogprobs: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  const rule = klEstimators.get(estimator);
  return tf.tidy(() => rule.tensor(logprobs, refLogprobs));
}
