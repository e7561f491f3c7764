import { ArpoError } from '@arpo/core';
import { checkLength } from './checks.js';

/**
 * Which branch of the per-token loss is active (spec §5). With `dual-clip` only `none` passes a gradient to log πθ;
 * with `entropy-balanced` (AEPO) `high` does too: −(1 + ε_high)·A.
 * - `none`: L1 = −A·ρ is the loss (unclipped).
 * - `low`: A < 0 and ρ < 1 − ε_low: the PPO clip holds the loss at −A·(1 − ε_low).
 * - `high`: A > 0 and ρ > 1 + ε_high: the PPO clip holds the loss at −A·(1 + ε_high).
 * - `dual`: A < 0 and ρ > c: dual-clip caps the loss at −A·c.
 */
export const CLIP_BRANCHES = ['none', 'low', 'high', 'dual'] as const;
export type ClipBranch = (typeof CLIP_BRANCHES)[number];

/** Codes stored in {@link ClippedSurrogate.branches}: the index in {@link CLIP_BRANCHES}. */
export const CLIP_BRANCH_CODE = { none: 0, low: 1, high: 2, dual: 3 } as const satisfies Record<ClipBranch, number>;

/** The clip constants of the surrogate (the `LossConfig` fields of the same names). */
export interface ClipParams {
  /** ε_low: ρ is clipped below at 1 − ε_low (reference 0.2). */
  clipRatioLow: number;
  /** ε_high: ρ is clipped above at 1 + ε_high (reference 0.2; DAPO's clip-higher 0.28). */
  clipRatioHigh: number;
  /** c of dual-clip (> 1; reference 3): for A < 0 the loss is capped at −A·c. */
  clipRatioC: number;
}

/**
 * log ρ = log πθ − log π_old is clamped to ±20 before the exponential, as verl's `compute_policy_loss`
 * does: ρ stays finite for a stale or mismatched π_old, and tokens that far off carry no gradient.
 */
export const LOG_RATIO_CLAMP = 20;

/** One token of the clipped surrogate (spec §5). */
export interface SurrogateToken {
  /** The per-token loss. */
  loss: number;
  /** ρ = exp(clamp(log πθ − log π_old, ±20)). */
  ratio: number;
  branch: ClipBranch;
}

/** Throws unless the clip constants are valid: ε_low in [0, 1], ε_high ≥ 0, c > 1. */
export function checkClipParams(where: string, p: ClipParams): void {
  if (!(p.clipRatioLow >= 0 && p.clipRatioLow <= 1)) throw new ArpoError(`${where}: clipRatioLow = ${p.clipRatioLow} (expected a number in [0, 1])`);
  if (!(p.clipRatioHigh >= 0) || !Number.isFinite(p.clipRatioHigh)) throw new ArpoError(`${where}: clipRatioHigh = ${p.clipRatioHigh} (expected a finite number >= 0)`);
  if (!(p.clipRatioC > 1)) throw new ArpoError(`${where}: clipRatioC = ${p.clipRatioC} (expected a number > 1)`);
}

/**
 * The per-token clipped surrogate with dual-clip for one token (verl `compute_policy_loss`; spec §5):
 *
 *   ρ = exp(log πθ − log π_old)
 *   L1 = −A·ρ,  L2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high),  Lclip = max(L1, L2)
 *   L = min(Lclip, −A·c)  if A < 0   (dual-clip)
 *   L = Lclip             otherwise
 *
 * The branch is decided with the same strict comparisons as verl's clip fractions: PPO-clipped when
 * L2 > L1 (`low` for A < 0, `high` for A > 0), dual-clipped when A < 0 and Lclip > −A·c.
 */
export function surrogateToken(logprob: number, oldLogprob: number, advantage: number, clip: ClipParams): SurrogateToken {
  const ratio = Math.exp(clampedLogRatio(logprob, oldLogprob));
  return { ...surrogateFromBounds(ratio, advantage, 1 - clip.clipRatioLow, 1 + clip.clipRatioHigh, clip.clipRatioC), ratio };
}

/** clamp(log πθ − log π_old, ±{@link LOG_RATIO_CLAMP}): log ρ. */
export function clampedLogRatio(logprob: number, oldLogprob: number): number {
  return Math.min(LOG_RATIO_CLAMP, Math.max(-LOG_RATIO_CLAMP, logprob - oldLogprob));
}

/**
 * The per-token loss and branch of the clipped surrogate for a given ρ and clip bounds [lower, upper]
 * (torch.clamp(ρ, lower, upper) = min(max(ρ, lower), upper)): L1 = −A·ρ, L2 = −A·clamp(ρ, lower, upper),
 * Lclip = max(L1, L2), and for A < 0 min(Lclip, −A·c). Shared by `dual-clip` (upper = 1 + ε_high) and
 * `entropy-balanced` (upper = (1 + ε_high)·ρ/sg(ρ), the same value at the evaluation point).
 */
export function surrogateFromBounds(ratio: number, advantage: number, lower: number, upper: number, c: number): { loss: number; branch: ClipBranch } {
  const l1 = -advantage * ratio;
  const l2 = -advantage * Math.min(upper, Math.max(lower, ratio));
  const lclip = Math.max(l1, l2);
  let branch: ClipBranch = l2 > l1 ? (advantage < 0 ? 'low' : 'high') : 'none';
  let loss = lclip;
  if (advantage < 0) {
    const l3 = -advantage * c;
    if (lclip > l3) branch = 'dual';
    loss = Math.min(lclip, l3);
  }
  return { loss, branch };
}

/** {@link surrogateToken} over aligned flat arrays. */
export interface ClippedSurrogate {
  /** Per-token loss (float64). */
  losses: Float64Array;
  /** Per-token ρ. */
  ratios: Float64Array;
  /** Per-token {@link CLIP_BRANCH_CODE}. */
  branches: Uint8Array;
}

/**
 * {@link surrogateToken} for every token of aligned arrays (any layout, e.g. a flat `[B, L]` batch).
 * Pure float64 reference of the tensor version ({@link clippedSurrogateTensor}).
 */
export function clippedSurrogate(
  logprobs: ArrayLike<number>,
  oldLogprobs: ArrayLike<number>,
  advantages: ArrayLike<number>,
  clip: ClipParams,
): ClippedSurrogate {
  return mapSurrogate('clippedSurrogate', logprobs, oldLogprobs, advantages, clip, (lp, old, a) => surrogateToken(lp, old, a, clip));
}

/** Applies a per-token surrogate to aligned arrays, after checking their lengths and the clip constants. */
export function mapSurrogate(
  where: string,
  logprobs: ArrayLike<number>,
  oldLogprobs: ArrayLike<number>,
  advantages: ArrayLike<number>,
  clip: ClipParams,
  token: (logprob: number, oldLogprob: number, advantage: number) => SurrogateToken,
): ClippedSurrogate {
  const n = logprobs.length;
  checkLength(where, 'oldLogprobs', oldLogprobs, n);
  checkLength(where, 'advantages', advantages, n);
  checkClipParams(where, clip);
  const losses = new Float64Array(n);
  const ratios = new Float64Array(n);
  const branches = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = token(logprobs[i]!, oldLogprobs[i]!, advantages[i]!);
    losses[i] = t.loss;
    ratios[i] = t.ratio;
    branches[i] = CLIP_BRANCH_CODE[t.branch];
  }
  return { losses, ratios, branches };
}
