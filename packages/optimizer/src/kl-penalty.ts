import type { KlEstimator } from '@arpo/core';
import { checkLength } from './checks.js';
import { klEstimators } from './kl-estimators.js';

export { K3_CLAMP, K3_LOG_RATIO_CLAMP } from './kl-estimators.js';

/**
 * One token's estimate of KL(πθ ‖ π_ref) from the sampled token's log-probs with the estimator named `estimator`
 * (see {@link klEstimators}: `k1` = d, `k2` = ½·d², `k3` = `low_var_kl`, d = log πθ − log π_ref, or a registered one).
 * An unknown name throws an `ArpoConfigError` naming `arpo.loss.klEstimator` and the registered names.
 */
export function klToken(logprob: number, refLogprob: number, estimator: KlEstimator): number {
  return klEstimators.get(estimator).token(logprob, refLogprob);
}

/** {@link klToken} over aligned arrays (float64; the reference of {@link klPenaltyTensor}). */
export function klPenalty(logprobs: ArrayLike<number>, refLogprobs: ArrayLike<number>, estimator: KlEstimator): Float64Array {
  checkLength('klPenalty', 'refLogprobs', refLogprobs, logprobs.length);
  const rule = klEstimators.get(estimator);
  const out = new Float64Array(logprobs.length);
  for (let i = 0; i < logprobs.length; i++) out[i] = rule.token(logprobs[i]!, refLogprobs[i]!);
  return out;
}
