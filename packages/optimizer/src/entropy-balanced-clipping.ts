import { clampedLogRatio, mapSurrogate, surrogateFromBounds, type ClipParams, type ClippedSurrogate, type SurrogateToken } from './clipped-surrogate.js';

/**
 * One token of AEPO's entropy-balanced clipping (arXiv 2510.14545; its code
 * `core_algos.py::compute_policy_loss_entropy_balanced_clipping`), in float64:
 *
 *   ρ = exp(clamp(log πθ − log π_old, ±20))
 *   min_bound = 1 − ε_low,  max_bound = (1 + ε_high)·ρ / sg(ρ)
 *   L1 = −A·ρ,  L2 = −A·clamp(ρ, min_bound, max_bound),  Lclip = max(L1, L2)
 *   L = min(Lclip, −A·c)  if A < 0   (dual-clip, as `dual-clip`)
 *
 * sg is the stop-gradient: ρ/sg(ρ) = 1 in value, so the loss, the ratio and the branch equal
 * {@link surrogateToken}'s bit for bit; only the gradient differs. Where A > 0 and ρ > 1 + ε_high the loss is
 * L2 = −A·max_bound, whose gradient is −(1 + ε_high)·A·∇log πθ (torch.clamp passes the gradient to a tensor
 * bound the input exceeds) instead of PPO's 0. The paper describes this for high-entropy tokens only; the
 * reference code (followed here) applies it to every token.
 *
 * @param detachedLogprob the value sg(log πθ) is frozen at (default `logprob`, the evaluation point). A float64
 *   function of `logprob` with this held fixed has the gradient of the tensor version: finite differences of it
 *   check {@link entropyBalancedSurrogateTensor}.
 */
export function entropyBalancedToken(logprob: number, oldLogprob: number, advantage: number, clip: ClipParams, detachedLogprob = logprob): SurrogateToken {
  const ratio = Math.exp(clampedLogRatio(logprob, oldLogprob)); // ρ
  const detachedRatio = Math.exp(clampedLogRatio(detachedLogprob, oldLogprob)); // sg(ρ)
  const maxBound = (1 + clip.clipRatioHigh) * (ratio / detachedRatio); // (1 + ε_high)·ρ/sg(ρ)
  return { ...surrogateFromBounds(ratio, advantage, 1 - clip.clipRatioLow, maxBound, clip.clipRatioC), ratio };
}

/** {@link entropyBalancedToken} for every token of aligned arrays: the float64 reference of `entropy-balanced`. */
export function entropyBalancedSurrogate(
  logprobs: ArrayLike<number>,
  oldLogprobs: ArrayLike<number>,
  advantages: ArrayLike<number>,
  clip: ClipParams,
): ClippedSurrogate {
  return mapSurrogate('entropyBalancedSurrogate', logprobs, oldLogprobs, advantages, clip, (lp, old, a) => entropyBalancedToken(lp, old, a, clip));
}
