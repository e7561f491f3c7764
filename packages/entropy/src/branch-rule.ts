import type { RolloutConfig, Rng } from '@arpo/core';
import { ArpoError, NamedRegistry } from '@arpo/core';
import { checkFiniteOption, checkInRange } from './checks.js';

/** The rollout-config fields the branch rules read: α, β, τ and the rule. */
export type BranchRuleConfig = Pick<RolloutConfig, 'branchProbability' | 'entropyWeight' | 'branchThreshold' | 'branchRule'>;

/** A branch decision. */
export interface BranchDecisionResult {
  branch: boolean;
  /**
   * `stochastic`: the probability that the draw branches, clip(α + β·ΔH, 0, 1) (1 when α = 1, see
   * {@link shouldBranch}). `threshold`: P = clip(α + β·ΔH, 0, 1), the value compared with τ.
   */
  probability: number;
}

/**
 * Paper Eq. 5: P = clip(α + β·ΔH, 0, 1), the probability of branching after a segment whose entropy rose by
 * ΔH over the trajectory's initial entropy.
 *
 * @param deltaH ΔH (Eq. 4), finite.
 * @param params.alpha α, base branch probability in [0, 1] (reference 0.5).
 * @param params.beta β, entropy weight (reference 0.2), finite.
 */
export function branchProbability(deltaH: number, params: { alpha: number; beta: number }): number {
  checkInRange('branchProbability params', 'alpha', params.alpha, 0, 1);
  checkFiniteOption('branchProbability params', 'beta', params.beta);
  checkDeltaH('branchProbability', deltaH);
  return clip01(params.alpha + params.beta * deltaH);
}

/**
 * Decides whether a trajectory branches (Z new partial rollouts) after a segment with entropy change ΔH, with
 * the rule named by `config.branchRule` (see {@link branchRules}; the built-ins below).
 *
 * - `stochastic` (reference default, spec §2.2 step 6): draws u = clamp(rng.next() − β·ΔH, 0, 1) and
 *   branches iff u ≤ α. Exactly one `rng.next()` per call, the reference's draw, so a given RNG stream
 *   reproduces the decisions. With U uniform on [0, 1): P(branch) = P(U ≤ α + β·ΔH) = clip(α + β·ΔH, 0, 1)
 *   for α in [0, 1). The clamp is subtle at α = 1: u ≤ 1 always holds, so the draw always branches, even
 *   when α + β·ΔH < 1 (a negative ΔH cannot lower it); `probability` then reports 1, the true rate.
 * - `threshold` (paper Eq. 5): P = clip(α + β·ΔH, 0, 1); branches iff P > τ. Deterministic; consumes no
 *   draw. With α = τ it branches iff β·ΔH > 0. Clipping matters only at τ = 1, where it never branches.
 *
 * @param deltaH ΔH (Eq. 4), finite.
 * @param config α `branchProbability`, β `entropyWeight`, τ `branchThreshold`, `branchRule`.
 * @param rng the branching stream (read only by `stochastic`).
 */
export function shouldBranch(deltaH: number, config: BranchRuleConfig, rng: Pick<Rng, 'next'>): BranchDecisionResult {
  const subject = 'branch rule config';
  const rule = branchRules.get(config.branchRule);
  checkInRange(subject, 'branchProbability', config.branchProbability, 0, 1);
  checkFiniteOption(subject, 'entropyWeight', config.entropyWeight);
  checkDeltaH('shouldBranch', deltaH);
  const decision = rule(deltaH, config, rng);
  if (typeof decision?.branch !== 'boolean' || !(decision.probability >= 0 && decision.probability <= 1)) {
    throw new ArpoError(
      `branch rule '${config.branchRule}' returned ${JSON.stringify(decision)} (expected { branch: boolean, probability: a number in [0, 1] })`,
    );
  }
  return decision;
}

/**
 * A branch rule: ΔH (finite), the rollout config's α, β, τ (α and β checked) and the branching RNG stream → the
 * decision. Register one with {@link registerBranchRule} and select it with `arpo.rollout.branchRule`. A rule that
 * draws should draw a fixed number of times per call, so that a seed reproduces a rollout.
 */
export type BranchRule = (deltaH: number, config: BranchRuleConfig, rng: Pick<Rng, 'next'>) => BranchDecisionResult;

const stochastic: BranchRule = (deltaH, config, rng) => {
  const alpha = config.branchProbability;
  const beta = config.entropyWeight;
  const u = clip01(rng.next() - beta * deltaH);
  return { branch: u <= alpha, probability: alpha === 1 ? 1 : clip01(alpha + beta * deltaH) };
};

const threshold: BranchRule = (deltaH, config) => {
  checkInRange('branch rule config', 'branchThreshold', config.branchThreshold, 0, 1);
  const probability = clip01(config.branchProbability + config.entropyWeight * deltaH);
  return { branch: probability > config.branchThreshold, probability };
};

/** The branch rules by name: `stochastic` (reference) and `threshold` (paper Eq. 5), see {@link shouldBranch}. */
export const branchRules = new NamedRegistry<BranchRule>('branch rule', 'arpo.rollout.branchRule', { stochastic, threshold });

/** Registers a branch rule under `name` (selected by `rollout.branchRule: name`). */
export function registerBranchRule(name: string, rule: BranchRule, options?: { replace?: boolean }): void {
  branchRules.register(name, rule, options);
}

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function checkDeltaH(where: string, deltaH: number): void {
  if (typeof deltaH !== 'number' || !Number.isFinite(deltaH)) {
    throw new ArpoError(`${where}: deltaH = ${String(deltaH)} (expected a finite number)`);
  }
}
