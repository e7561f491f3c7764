import type { RolloutConfig, Rng } from '@arpo/core';
import { ArpoConfigError, ArpoError, NamedRegistry, parseRolloutConfig } from '@arpo/core';
import { checkFiniteOption, checkInRange, checkInteger } from './checks.js';

/**
 * The rollout-config fields the branch rules read: α, β, τ, the rule, and λ (`consecutivePenalty`, read by
 * `consecutive-penalty` only; optional, default the schema's 0.05).
 */
export type BranchRuleConfig = Pick<RolloutConfig, 'branchProbability' | 'entropyWeight' | 'branchThreshold' | 'branchRule'> &
  Partial<Pick<RolloutConfig, 'consecutivePenalty'>>;

/**
 * What the rollout engine knows about a decision beyond ΔH and the config, passed to the rule as an optional
 * fourth argument (a rule written for three arguments ignores it).
 */
export interface BranchRuleContext {
  /**
   * l: consecutive rounds (up to this one) in which the source's prompt got a new trajectory, a branch or a
   * refill (AEPO's per-prompt `consecutive_branches`); 0 when the previous round added nothing to the prompt.
   */
  consecutiveBranches: number;
}

/** The reference defaults, from the rollout config's schema (not restated here). */
const DEFAULTS = parseRolloutConfig();

/** A branch decision. */
export interface BranchDecisionResult {
  branch: boolean;
  /**
   * `stochastic`: the probability that the draw branches, clip(α + β·ΔH, 0, 1) (1 when α = 1, see
   * {@link shouldBranch}). `threshold`: P = clip(α + β·ΔH, 0, 1), the value compared with τ.
   * `consecutive-penalty`: the true branching rate given l, {@link consecutivePenaltyProbability}.
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
 * - `consecutive-penalty` (AEPO, arXiv 2510.14545, reference `vllm_rollout_with_tools.py` of AEPO): one draw u,
 *   score = clip((u + β·ΔH)·max(0, 1 − λ·l), 0, 1), branches iff score ≥ α; l = `context.consecutiveBranches`
 *   (0 when no context is given), λ = `consecutivePenalty`. See {@link consecutivePenaltyProbability}.
 *
 * @param deltaH ΔH (Eq. 4), finite.
 * @param config α `branchProbability`, β `entropyWeight`, τ `branchThreshold`, `branchRule`, λ `consecutivePenalty`.
 * @param rng the branching stream (read by `stochastic` and `consecutive-penalty`).
 * @param context what the engine knows beyond ΔH (l for `consecutive-penalty`); passed to the rule only when given.
 */
export function shouldBranch(deltaH: number, config: BranchRuleConfig, rng: Pick<Rng, 'next'>, context?: BranchRuleContext): BranchDecisionResult {
  const subject = 'branch rule config';
  const rule = branchRules.get(config.branchRule);
  checkInRange(subject, 'branchProbability', config.branchProbability, 0, 1);
  checkFiniteOption(subject, 'entropyWeight', config.entropyWeight);
  checkDeltaH('shouldBranch', deltaH);
  if (context !== undefined) checkInteger('branch rule context', 'consecutiveBranches', context.consecutiveBranches, 0);
  const decision = context === undefined ? rule(deltaH, config, rng) : rule(deltaH, config, rng, context);
  if (typeof decision?.branch !== 'boolean' || !(decision.probability >= 0 && decision.probability <= 1)) {
    throw new ArpoError(
      `branch rule '${config.branchRule}' returned ${JSON.stringify(decision)} (expected { branch: boolean, probability: a number in [0, 1] })`,
    );
  }
  return decision;
}

/**
 * A branch rule: ΔH (finite), the rollout config's α, β, τ, λ (α and β checked), the branching RNG stream and,
 * from the rollout engine, a {@link BranchRuleContext} (l checked; undefined when a caller gives none) → the
 * decision. A rule of three arguments is a valid rule. Register one with {@link registerBranchRule} and select it
 * with `arpo.rollout.branchRule`. A rule that draws should draw a fixed number of times per call, so that a seed
 * reproduces a rollout.
 */
export type BranchRule = (deltaH: number, config: BranchRuleConfig, rng: Pick<Rng, 'next'>, context?: BranchRuleContext) => BranchDecisionResult;

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

/**
 * AEPO's probability of branching under the consecutive-branch penalty, the `probability` that
 * `consecutive-penalty` reports: with f = max(0, 1 − λ·l) and u ~ U[0, 1), the rule branches iff
 * clip((u + β·ΔH)·f, 0, 1) ≥ α, so
 *
 *   P = 1                          when α = 0 (a clipped score is always ≥ 0),
 *   P = 0                          when f = 0 and α > 0 (the score is 0),
 *   P = clip(1 − α/f + β·ΔH, 0, 1) otherwise (u ≥ α/f − β·ΔH).
 *
 * At l = 0 (f = 1) this is clip(1 − α + β·ΔH, 0, 1): AEPO compares the score *from above* with α, where ARPO's
 * `stochastic` rule compares u − β·ΔH from below (P = clip(α + β·ΔH, 0, 1)); the two agree for every ΔH only at α = 0.5
 * (the reference's value). Each consecutive round lowers P: at α = 0.5, λ = 0.05, ΔH = 0: l = 0 → 0.5, 1 → 0.4737,
 * 2 → 0.4444; at ΔH = 0 it never branches from l = 10 on (f ≤ α), and at any ΔH from l = 1/λ = 20 on (f = 0).
 *
 * @param deltaH ΔH (Eq. 4), finite.
 * @param params α (in [0, 1]), β (finite), λ (finite, ≥ 0), l (integer ≥ 0).
 */
export function consecutivePenaltyProbability(
  deltaH: number,
  params: { alpha: number; beta: number; lambda: number; consecutiveBranches: number },
): number {
  const subject = 'consecutivePenaltyProbability params';
  checkInRange(subject, 'alpha', params.alpha, 0, 1);
  checkFiniteOption(subject, 'beta', params.beta);
  checkLambda(subject, 'lambda', params.lambda);
  checkInteger(subject, 'consecutiveBranches', params.consecutiveBranches, 0);
  checkDeltaH('consecutivePenaltyProbability', deltaH);
  return penaltyProbability(deltaH, params.alpha, params.beta, penaltyFactor(params.lambda, params.consecutiveBranches));
}

/** f = max(0, 1 − λ·l), AEPO's `penalty_factor`. */
function penaltyFactor(lambda: number, consecutiveBranches: number): number {
  return Math.max(0, 1 - lambda * consecutiveBranches);
}

function penaltyProbability(deltaH: number, alpha: number, beta: number, factor: number): number {
  if (alpha === 0) return 1;
  if (factor === 0) return 0;
  return clip01(1 - alpha / factor + beta * deltaH);
}

const consecutivePenalty: BranchRule = (deltaH, config, rng, context) => {
  const lambda = config.consecutivePenalty ?? DEFAULTS.consecutivePenalty;
  checkLambda('branch rule config', 'consecutivePenalty', lambda);
  const l = context?.consecutiveBranches ?? 0; // AEPO's consecutive_branches[prompt]
  const alpha = config.branchProbability;
  const beta = config.entropyWeight;
  const factor = penaltyFactor(lambda, l);
  // Reference: prob = (random.random() + β·ΔH)·max(0, 1 − 0.05·l), clamped to [0, 1]; skip iff prob < α.
  const score = clip01((rng.next() + beta * deltaH) * factor);
  return { branch: score >= alpha, probability: penaltyProbability(deltaH, alpha, beta, factor) };
};

/**
 * The branch rules by name: `stochastic` (reference), `threshold` (paper Eq. 5) and `consecutive-penalty` (AEPO),
 * see {@link shouldBranch}.
 */
export const branchRules = new NamedRegistry<BranchRule>('branch rule', 'arpo.rollout.branchRule', {
  stochastic,
  threshold,
  'consecutive-penalty': consecutivePenalty,
});

/** Registers a branch rule under `name` (selected by `rollout.branchRule: name`). */
export function registerBranchRule(name: string, rule: BranchRule, options?: { replace?: boolean }): void {
  branchRules.register(name, rule, options);
}

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function checkLambda(subject: string, field: string, lambda: number): void {
  if (!(typeof lambda === 'number' && Number.isFinite(lambda) && lambda >= 0)) {
    throw new ArpoConfigError(subject, [{ field, value: lambda, expected: 'a finite number >= 0' }]);
  }
}

function checkDeltaH(where: string, deltaH: number): void {
  if (typeof deltaH !== 'number' || !Number.isFinite(deltaH)) {
    throw new ArpoError(`${where}: deltaH = ${String(deltaH)} (expected a finite number)`);
  }
}
