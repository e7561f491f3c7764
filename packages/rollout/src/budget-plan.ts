import type { RolloutConfig, Rng } from '@arpo/core';
import { shouldBranch, type BranchRuleConfig, type BranchRuleContext } from '@arpo/entropy';

/** A trajectory that may branch this round: its ΔH at the decision segment (spec §2.2 step 6). */
export interface BranchCandidate {
  /** ΔH = H − H_initial of the segment that decides (0 where it was not measured). */
  deltaH: number;
}

/** The branches planned for one source trajectory. */
export interface BranchPlan {
  /** Index of the source in the candidates given to {@link planBranches}. */
  source: number;
  /** Draws made: min(Z, budget left), Z = beamSize − 1. */
  attempts: number;
  /** How many of them branch (each becomes a child that copies the source's prefix). */
  branches: number;
  /** The rule's probability of the draws (the same for each draw of a source), e.g. `stochastic`'s clip(α + β·ΔH, 0, 1). */
  probability: number;
}

/** The config fields the planner reads. */
export type BudgetConfig = BranchRuleConfig & Pick<RolloutConfig, 'beamSize' | 'budgetAllocation'>;

/**
 * Step 6 of one prompt's round: which candidates branch, within the group's remaining budget M − |group|.
 * Candidates are taken in the given order (`budgetAllocation: 'index-order'`, reference) or by ΔH, highest first
 * (`'highest-entropy'`, stable); each gets min(Z, budget left) draws of the branch rule, every draw from `rng` in
 * that order. Sources whose budget ran out are left out. Pure except for the draws.
 *
 * `context` (the prompt's consecutive-branch count l, read by `consecutive-penalty`) is passed to every decision
 * of this call; without it rules get no context (`consecutive-penalty` then uses l = 0).
 */
export function planBranches(
  candidates: readonly BranchCandidate[],
  remaining: number,
  config: BudgetConfig,
  rng: Pick<Rng, 'next'>,
  context?: BranchRuleContext,
): BranchPlan[] {
  const Z = config.beamSize - 1;
  if (Z <= 0 || remaining <= 0) return [];
  let order = candidates.map((_, i) => i);
  if (config.budgetAllocation === 'highest-entropy') {
    order = order.sort((a, b) => candidates[b]!.deltaH - candidates[a]!.deltaH);
  }
  const plans: BranchPlan[] = [];
  let created = 0;
  for (const source of order) {
    const attempts = Math.min(Z, remaining - created);
    if (attempts <= 0) break;
    let branches = 0;
    let probability = 0;
    for (let a = 0; a < attempts; a++) {
      const decision = shouldBranch(candidates[source]!.deltaH, config, rng, context);
      probability = decision.probability;
      if (decision.branch) branches += 1;
    }
    created += branches;
    plans.push({ source, attempts, branches, probability });
  }
  return plans;
}

/**
 * Step 7 (refill, reference semantics): a prompt whose group has fewer than M trajectories and none of them live
 * gets one fresh trajectory this round.
 */
export function needsRefill(group: readonly { active: boolean }[], M: number): boolean {
  return group.length < M && !group.some((s) => s.active);
}
