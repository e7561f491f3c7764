import * as tf from '@tensorflow/tfjs';
import { NamedRegistry, type KL_ESTIMATORS } from '@arpo/core';

/** k3 (`low_var_kl`) is clamped to [−10, 10] (verl `kl_penalty`; spec §5). */
export const K3_CLAMP = 10;
/** Inside k3, log(π_ref/πθ) is clamped to ±20 before the exponential (verl `kl_penalty`). */
export const K3_LOG_RATIO_CLAMP = 20;

/**
 * A per-token estimator of KL(πθ ‖ π_ref) from the sampled token's log-probs, twice: `token` in float64 (the reference,
 * used by `klToken` / `klPenalty` / `policyLoss`) and `tensor` on tfjs tensors of equal shape (used in training,
 * differentiable w.r.t. both inputs; call inside a tidy or gradient scope). Register one with
 * {@link registerKlEstimator} and select it with `arpo.loss.klEstimator`. With replica workers, register it in
 * `workerSetupModule` too.
 */
export interface KlEstimatorRule {
  token(logprob: number, refLogprob: number): number;
  tensor(logprobs: tf.Tensor, refLogprobs: tf.Tensor): tf.Tensor;
}

/**
 * The KL estimators by name (verl `kl_penalty`, Schulman's k1/k2/k3), with d = log πθ − log π_ref:
 * - `k1` (verl `kl`): d
 * - `k2` (verl `mse`): ½·d²
 * - `k3` (verl `low_var_kl`, the reference): e^{−d} − (−d) − 1 = e^{ref−logp} − (ref − logp) − 1, with
 *   ref − logp clamped to ±20 and the result clamped to [−10, 10].
 */
export const klEstimators = new NamedRegistry<KlEstimatorRule>('KL estimator', 'arpo.loss.klEstimator', {
  k1: {
    token: (logprob, refLogprob) => logprob - refLogprob,
    tensor: (logprobs, refLogprobs) => tf.sub(logprobs, refLogprobs),
  },
  k2: {
    token: (logprob, refLogprob) => {
      const d = logprob - refLogprob;
      return 0.5 * d * d;
    },
    tensor: (logprobs, refLogprobs) => tf.mul(0.5, tf.square(tf.sub(logprobs, refLogprobs))),
  },
  k3: {
    token: (logprob, refLogprob) => {
      const x = Math.min(K3_LOG_RATIO_CLAMP, Math.max(-K3_LOG_RATIO_CLAMP, -(logprob - refLogprob)));
      return Math.min(K3_CLAMP, Math.max(-K3_CLAMP, Math.exp(x) - x - 1));
    },
    tensor: (logprobs, refLogprobs) => {
      const x = tf.clipByValue(tf.sub(refLogprobs, logprobs), -K3_LOG_RATIO_CLAMP, K3_LOG_RATIO_CLAMP);
      return tf.clipByValue(tf.sub(tf.sub(tf.exp(x), x), 1), -K3_CLAMP, K3_CLAMP);
    },
  },
} satisfies Record<(typeof KL_ESTIMATORS)[number], KlEstimatorRule>);

/** Registers a KL estimator under `name` (selected by `loss.klEstimator: name`). */
export function registerKlEstimator(name: string, rule: KlEstimatorRule, options?: { replace?: boolean }): void {
  klEstimators.register(name, rule, options);
}
