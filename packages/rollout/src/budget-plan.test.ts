import { describe, expect, it } from 'vitest';
import { needsRefill, planBranches, type BudgetConfig } from './budget-plan.js';

/** An RNG that returns the given draws in order (and fails when it runs out). */
function draws(values: number[]): { next: () => number; used: () => number } {
  let i = 0;
  return {
    next: () => {
      if (i >= values.length) throw new Error('out of draws');
      return values[i++]!;
    },
    used: () => i,
  };
}

const base: BudgetConfig = {
  beamSize: 3, // Z = 2
  budgetAllocation: 'index-order',
  branchRule: 'stochastic',
  branchProbability: 0.5, // α
  entropyWeight: 0.2, // β
  branchThreshold: 0.5, // τ
};

describe('planBranches', () => {
  it('takes sources in order, min(Z, budget left) draws each, u = clip(draw − β·ΔH) ≤ α branches', () => {
    // Source 0, ΔH = 0: draws 0.4 (branch), 0.9 (no). Source 1, ΔH = 1: u = 0.65 − 0.2 = 0.45 ≤ 0.5 (branch);
    // budget 2 − 1 = 1 draw. Source 2: no budget left, no draw.
    const rng = draws([0.4, 0.9, 0.65]);
    const plans = planBranches([{ deltaH: 0 }, { deltaH: 1 }, { deltaH: 0 }], 2, base, rng);
    expect(plans).toEqual([
      { source: 0, attempts: 2, branches: 1, probability: 0.5 },
      { source: 1, attempts: 1, branches: 1, probability: 0.7 },
    ]);
    expect(rng.used()).toBe(3);
  });

  it('a draw that does not branch leaves the budget for the next source', () => {
    const rng = draws([0.9, 0.9, 0.1, 0.1]);
    const plans = planBranches([{ deltaH: 0 }, { deltaH: 0 }], 2, base, rng);
    expect(plans.map((p) => [p.source, p.attempts, p.branches])).toEqual([
      [0, 2, 0],
      [1, 2, 2],
    ]);
  });

  it("'highest-entropy' spends the budget on the largest ΔH first (stable among equals)", () => {
    const rng = draws([0, 0, 0]);
    const plans = planBranches([{ deltaH: -1 }, { deltaH: 2 }, { deltaH: 2 }], 3, { ...base, budgetAllocation: 'highest-entropy' }, rng);
    // P = clip(0.5 + 0.2·2) = 0.9 for sources 1 and 2.
    expect(plans).toEqual([
      { source: 1, attempts: 2, branches: 2, probability: 0.9 },
      { source: 2, attempts: 1, branches: 1, probability: 0.9 },
    ]);
  });

  it("'threshold' consumes no draws: P = clip(α + β·ΔH) > τ", () => {
    const rng = draws([]);
    const plans = planBranches([{ deltaH: 0 }, { deltaH: 0.5 }], 4, { ...base, branchRule: 'threshold' }, rng);
    expect(plans).toEqual([
      { source: 0, attempts: 2, branches: 0, probability: 0.5 },
      { source: 1, attempts: 2, branches: 2, probability: 0.6 },
    ]);
  });

  it("passes the prompt's consecutive-branch count to every decision ('consecutive-penalty', λ = 0.05)", () => {
    const aepo: BudgetConfig = { ...base, branchRule: 'consecutive-penalty', consecutivePenalty: 0.05 };
    // Draw 0.52 with ΔH = 0: l = 0 → 0.52 ≥ 0.5 branches; l = 1 → 0.52·0.95 = 0.494 does not (P = 1 − 0.5/0.95).
    expect(planBranches([{ deltaH: 0 }], 1, aepo, draws([0.52]))).toEqual([{ source: 0, attempts: 1, branches: 1, probability: 0.5 }]);
    expect(planBranches([{ deltaH: 0 }], 1, aepo, draws([0.52]), { consecutiveBranches: 0 })).toEqual([
      { source: 0, attempts: 1, branches: 1, probability: 0.5 },
    ]);
    const penalised = planBranches([{ deltaH: 0 }, { deltaH: 0 }], 2, aepo, draws([0.52, 0.52, 0.6, 0.6]), { consecutiveBranches: 1 });
    expect(penalised.map((p) => [p.source, p.attempts, p.branches])).toEqual([
      [0, 2, 0],
      [1, 2, 2], // 0.6·0.95 = 0.57
    ]);
    expect(penalised[0]!.probability).toBeCloseTo(1 - 0.5 / 0.95, 15);
  });

  it('plans nothing without budget or without Z', () => {
    expect(planBranches([{ deltaH: 1 }], 0, base, draws([]))).toEqual([]);
    expect(planBranches([{ deltaH: 1 }], 4, { ...base, beamSize: 1 }, draws([]))).toEqual([]);
  });
});

describe('needsRefill', () => {
  it('a group with fewer than M trajectories and none live gets one', () => {
    expect(needsRefill([{ active: false }, { active: false }], 3)).toBe(true);
    expect(needsRefill([{ active: false }, { active: true }], 3)).toBe(false);
    expect(needsRefill([{ active: false }, { active: false }, { active: false }], 3)).toBe(false);
    expect(needsRefill([], 1)).toBe(true);
  });
});
