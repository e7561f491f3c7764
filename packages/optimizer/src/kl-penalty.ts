import { ArpoError, type KlEstimator } from '@arpo/core';
import { checkLength } from './checks.js';

/** k3 (`low_var_kl`) is clamped to [−10, 10] (verl `kl_penalty`; spec §5). */
export const K3_CLAMP = 10;
/** Inside k3, log(π_ref/πθ) is clamped to ±20 before the exponential (verl `kl_penalty`). */
export const K3_LOG_RATIO_CLAMP = 20;

/**
 * One token's estimate of KL(πθ ‖ π_ref) from the sampled token's log-probs (verl `kl_penalty`, Schulman's
 * k1/k2/k3), with d = log πθ − log π_ref:
 * - `k1` (verl `kl`): d
 * - `k2` (verl `mse`): ½·d²
 * - `k3` (verl `low_var_kl`, the reference): e^{−d} − (−d) − 1 = e^{ref−logp} − (ref − logp) − 1, with
 *   ref − logp clamped to ±20 and the result clamped to [−10, 10].
 */
export function klToken(logprob: number, refLogprob: number, estimator: KlEstimator): number {
  const d = logprob - refLogprob;
  switch (estimator) {
    case 'k1':
      return d;
    case 'k2':
      return 0.5 * d * d;
    case 'k3': {
      const x = Math.min(K3_LOG_RATIO_CLAMP, Math.max(-K3_LOG_RATIO_CLAMP, -d));
      return Math.min(K3_CLAMP, Math.max(-K3_CLAMP, Math.exp(x) - x - 1));
    }
    default:
      throw new ArpoError(`klToken: estimator = ${String(estimator)} (expected k1, k2 or k3)`);
  }
}

/** {@link klToken} over aligned arrays (float64; the reference of {@link klPenaltyTensor}). */
export function klPenalty(logprobs: ArrayLike<number>, refLogprobs: ArrayLike<number>, estimator: KlEstimator): Float64Array {
  checkLength('klPenalty', 'refLogprobs', refLogprobs, logprobs.length);
  const out = new Float64Array(logprobs.length);
  for (let i = 0; i < logprobs.length; i++) out[i] = klToken(logprobs[i]!, refLogprobs[i]!, estimator);
  return out;
}
