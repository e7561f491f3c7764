import { ArpoConfigError, parseAdvantageConfig, type AdvantageConfig, type FieldProblem } from '@arpo/core';

/** Options of {@link grpoAdvantages}; the normalisation fields of `AdvantageConfig`, same defaults. */
export interface GrpoOptions {
  /** ε in (r − mean)/(std + ε). Default 1e-6 (the reference). */
  eps?: number;
  /** `unbiased` (N − 1, torch's default, the reference) or `biased` (N). Default `unbiased`. */
  std?: AdvantageConfig['std'];
  /** Divide by std + ε (reference `norm_adv_by_std_in_grpo: True`); false gives Dr. GRPO's r − mean. Default true. */
  normalizeByStd?: boolean;
}

/** Normalisation options with defaults filled in. */
export type ResolvedGrpoOptions = Required<GrpoOptions>;

/**
 * Fills in and validates {@link GrpoOptions} through `parseAdvantageConfig`, so a bad value fails with the
 * same `ArpoConfigError` as the config file would (e.g. `Invalid advantage config: eps = -1 (expected a number >= 0)`).
 */
export function resolveGrpoOptions(options: GrpoOptions = {}): ResolvedGrpoOptions {
  const { eps, std, normalizeByStd } = parseAdvantageConfig(options);
  return { eps, std, normalizeByStd };
}

/**
 * GRPO outcome advantages of one group (paper §3.2, spec §3; verl `compute_grpo_outcome_advantage`):
 *
 *   A_i = (r_i − mean{R_j}_{j=1..G}) / (std{R_j}_{j=1..G} + ε),  G = M (the whole rollout group)
 *
 * - `std` is the unbiased (N − 1) standard deviation by default, as torch computes it in the reference.
 * - A group of ONE gets mean 0 and std 1 (the reference's rule, whatever `std` says): A = r / (1 + ε).
 * - All-equal rewards give std 0 and A = 0 exactly (also with ε = 0, where the reference would give 0/0 = NaN).
 * - `normalizeByStd: false` gives A_i = r_i − mean (Dr. GRPO; the group-of-one mean is still 0).
 *
 * Computed in float64 (the reference uses float32 tensors; values agree to float32 precision).
 *
 * @param rewards r_i, one scalar per trajectory of the group. Every value must be finite.
 * @returns A_i aligned with `rewards` (an empty list for no rewards).
 * @throws ArpoConfigError (subject `rewards`) naming each non-finite reward's index and value, or
 *   (subject `advantage config`) for an invalid option.
 */
export function grpoAdvantages(rewards: ArrayLike<number>, options: GrpoOptions = {}): number[] {
  const resolved = resolveGrpoOptions(options);
  assertFiniteRewards(rewards);
  return normalizeGroup(rewards, resolved);
}

/** Throws `ArpoConfigError` (subject `rewards`) listing every reward that is not a finite number. */
export function assertFiniteRewards(rewards: ArrayLike<number>, subject = 'rewards'): void {
  const problems: FieldProblem[] = [];
  for (let i = 0; i < rewards.length; i++) {
    const r = rewards[i];
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      problems.push({ field: `rewards[${i}]`, value: r, expected: 'a finite number' });
    }
  }
  if (problems.length > 0) throw new ArpoConfigError(subject, problems);
}

/**
 * The arithmetic of {@link grpoAdvantages} on already-validated input. Internal: both `grpoAdvantages` and
 * `grpoAdvantagesByGroup` validate first.
 */
export function normalizeGroup(rewards: ArrayLike<number>, options: ResolvedGrpoOptions): number[] {
  const n = rewards.length;
  const out = new Array<number>(n);
  if (n === 0) return out;
  let mean = 0;
  let std = 1;
  if (n > 1) {
    const first = rewards[0]!;
    let allEqual = true;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = rewards[i]!;
      sum += r;
      if (r !== first) allEqual = false;
    }
    if (allEqual) {
      // Exact: sum/n can round away from the common value (0.1 · 3 / 3 ≠ 0.1), which would leave ~1e-11 residues.
      mean = first;
      std = 0;
    } else {
      mean = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const d = rewards[i]! - mean;
        squares += d * d;
      }
      std = Math.sqrt(squares / (options.std === 'unbiased' ? n - 1 : n));
    }
  }
  const denominator = std + options.eps;
  for (let i = 0; i < n; i++) {
    const centred = rewards[i]! - mean;
    // denominator is 0 only for all-equal rewards with ε = 0, where every centred value is 0: give 0, not 0/0 = NaN.
    out[i] = !options.normalizeByStd ? centred : denominator === 0 ? 0 : centred / denominator;
  }
  return out;
}
