import { ArpoConfigError, ArpoError, createRng, parseRolloutConfig, rngFromState, type Rng } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import {
  branchProbability,
  branchRules,
  consecutivePenaltyProbability,
  registerBranchRule,
  shouldBranch,
  type BranchRuleConfig,
} from './branch-rule.js';

/** An Rng stub whose next() replays fixed draws (and fails loudly when they run out). */
function replay(draws: number[]): Pick<Rng, 'next'> & { used: () => number } {
  let i = 0;
  return {
    next: () => {
      const u = draws[i++];
      if (u === undefined) throw new Error('no draws left');
      return u;
    },
    used: () => i,
  };
}

const reference: BranchRuleConfig = { branchProbability: 0.5, entropyWeight: 0.2, branchThreshold: 0.5, branchRule: 'stochastic' };
const paper: BranchRuleConfig = { ...reference, branchRule: 'threshold' };

describe('branchProbability (Eq. 5)', () => {
  it('golden cases with α = 0.5, β = 0.2', () => {
    const ab = { alpha: 0.5, beta: 0.2 };
    expect(branchProbability(0, ab)).toBe(0.5);
    expect(branchProbability(2.5, ab)).toBe(1);
    expect(branchProbability(10, ab)).toBe(1);
    expect(branchProbability(-2.5, ab)).toBe(0);
    expect(branchProbability(-7, ab)).toBe(0);
    expect(branchProbability(1, ab)).toBeCloseTo(0.7, 15);
    expect(branchProbability(-1, ab)).toBeCloseTo(0.3, 15);
  });

  it('rejects bad parameters and a non-finite ΔH', () => {
    expect(() => branchProbability(0, { alpha: 1.5, beta: 0.2 })).toThrow(ArpoConfigError);
    expect(() => branchProbability(0, { alpha: 1.5, beta: 0.2 })).toThrow('alpha = 1.5');
    expect(() => branchProbability(0, { alpha: 0.5, beta: NaN })).toThrow('beta = NaN');
    expect(() => branchProbability(NaN, { alpha: 0.5, beta: 0.2 })).toThrow(ArpoError);
    expect(() => branchProbability(NaN, { alpha: 0.5, beta: 0.2 })).toThrow('deltaH = NaN');
  });
});

// node -e "import('@arpo/core').then(({createRng})=>{const r=createRng(2507);console.log(Array.from({length:5},()=>r.next().toFixed(6)))})"
const PINNED_DRAWS = ['0.246912', '0.461293', '0.770677', '0.013335', '0.226596'];

describe('shouldBranch: stochastic (reference)', () => {
  it('branches iff clamp(u − β·ΔH, 0, 1) ≤ α, one draw per call (hand-computed sequence)', () => {
    const rng = replay([0.3, 0.7, 0.7, 0.95, 0.05, 0.5, 0.999]);
    const decisions = [
      [0, true, 0.5], //      u = 0.3            ≤ 0.5 → branch
      [0, false, 0.5], //     u = 0.7            > 0.5
      [1.5, true, 0.8], //    u = 0.7 − 0.3 = 0.4 ≤ 0.5 → branch
      [-1, false, 0.3], //    u = 0.95 + 0.2 → clamped to 1 > 0.5
      [-1, true, 0.3], //     u = 0.05 + 0.2 = 0.25 ≤ 0.5 → branch
      [0, true, 0.5], //      u = 0.5 ≤ 0.5 (ties branch) → branch
      [2.5, true, 1], //      u = 0.999 − 0.5 = 0.499 → branch
    ] as const;
    for (const [deltaH, branch, probability] of decisions) {
      const d = shouldBranch(deltaH, reference, rng);
      expect(d.branch).toBe(branch);
      expect(d.probability).toBeCloseTo(probability, 15);
    }
    expect(rng.used()).toBe(decisions.length);
  });

  it('a seeded createRng stream reproduces the decisions (draws pinned)', () => {
    const rng = createRng(2507);
    const copy = rngFromState(rng.getState());
    // The first five draws of createRng(2507).next():
    const draws = Array.from({ length: 5 }, () => copy.next());
    expect(draws.map((u) => u.toFixed(6))).toEqual(PINNED_DRAWS);
    const deltas = [0, -0.5, 1.5, 1, -2];
    const got = deltas.map((dh) => shouldBranch(dh, reference, rng).branch);
    // By hand: branch iff clamp(u − 0.2·ΔH, 0, 1) ≤ 0.5
    //   0.246912 − 0     = 0.246912 → branch
    //   0.461293 + 0.1   = 0.561293 → no (ΔH = 0 would have branched)
    //   0.770677 − 0.3   = 0.470677 → branch (ΔH = 0 would not have)
    //   0.013335 − 0.2   → clamp 0  → branch
    //   0.226596 + 0.4   = 0.626596 → no
    expect(got).toEqual([true, false, true, true, false]);
    // Replaying the same seed gives the same decisions.
    const again = createRng(2507);
    expect(deltas.map((dh) => shouldBranch(dh, reference, again).branch)).toEqual(got);
  });

  it('branches with frequency clip(α + β·ΔH, 0, 1)', () => {
    const rng = createRng('frequency');
    for (const deltaH of [-3, -1, 0, 0.5, 2, 4]) {
      let hits = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) if (shouldBranch(deltaH, reference, rng).branch) hits++;
      expect(Math.abs(hits / n - branchProbability(deltaH, { alpha: 0.5, beta: 0.2 }))).toBeLessThan(0.015);
    }
  });

  it('α = 1 always branches (the clamp makes u ≤ 1 true), and probability says so', () => {
    const config = { ...reference, branchProbability: 1 };
    const d = shouldBranch(-4, config, replay([0.99]));
    expect(d).toEqual({ branch: true, probability: 1 });
    expect(branchProbability(-4, { alpha: 1, beta: 0.2 })).toBeCloseTo(0.2, 15); // Eq. 5 alone would say 0.2
    // α = 0 never branches unless β·ΔH > 0 lifts it.
    expect(shouldBranch(0, { ...reference, branchProbability: 0 }, replay([0.001])).branch).toBe(false);
    expect(shouldBranch(0, { ...reference, branchProbability: 0 }, replay([0])).branch).toBe(true);
  });
});

describe('shouldBranch: threshold (paper)', () => {
  it('branches iff P = clip(α + β·ΔH, 0, 1) > τ and consumes no draw', () => {
    const rng = replay([]);
    expect(shouldBranch(0, paper, rng)).toEqual({ branch: false, probability: 0.5 }); // P = τ is not > τ
    expect(shouldBranch(0.01, paper, rng).branch).toBe(true);
    expect(shouldBranch(-0.01, paper, rng).branch).toBe(false);
    expect(shouldBranch(5, paper, rng)).toEqual({ branch: true, probability: 1 });
    const tau07 = { ...paper, branchThreshold: 0.7 };
    expect(shouldBranch(1, tau07, rng).branch).toBe(false); // P = 0.7
    expect(shouldBranch(1.01, tau07, rng).branch).toBe(true);
    expect(shouldBranch(100, { ...paper, branchThreshold: 1 }, rng).branch).toBe(false); // clipped P = 1 is not > 1
    expect(shouldBranch(-100, { ...paper, branchThreshold: 0 }, rng).branch).toBe(false);
    expect(rng.used()).toBe(0);
  });

  it('reads α, β, τ and the rule from a parsed RolloutConfig', () => {
    const config = parseRolloutConfig({ branchRule: 'threshold', branchThreshold: 0.6 });
    expect(shouldBranch(0.4, config, replay([])).branch).toBe(false); // P = 0.58
    expect(shouldBranch(0.6, config, replay([])).branch).toBe(true); // P = 0.62
  });

  it('rejects an invalid config, naming the field', () => {
    expect(() => shouldBranch(0, { ...paper, branchThreshold: 2 }, replay([]))).toThrow('branchThreshold = 2');
    expect(() => shouldBranch(0, { ...reference, branchRule: 'greedy' }, replay([]))).toThrow(ArpoConfigError);
    expect(() => shouldBranch(0, { ...reference, branchRule: 'greedy' }, replay([]))).toThrow(
      'Invalid branch rule config: arpo.rollout.branchRule = "greedy" (expected one of the registered branch rules: stochastic, threshold',
    );
    expect(() => shouldBranch(0, { ...reference, entropyWeight: Infinity }, replay([]))).toThrow('entropyWeight = Infinity');
    expect(() => shouldBranch(Infinity, reference, replay([0.1]))).toThrow('deltaH = Infinity');
  });

  it('a registered rule is selected by name and its decision is checked', () => {
    // Branch iff ΔH > 0, one draw per call whatever the outcome (so a seed replays).
    registerBranchRule('rising-test', (deltaH, _config, rng) => {
      rng.next();
      return { branch: deltaH > 0, probability: deltaH > 0 ? 1 : 0 };
    });
    const rng = replay([0.9, 0.9]);
    expect(shouldBranch(0.1, { ...reference, branchRule: 'rising-test' }, rng)).toEqual({ branch: true, probability: 1 });
    expect(shouldBranch(-0.1, { ...reference, branchRule: 'rising-test' }, rng)).toEqual({ branch: false, probability: 0 });
    expect(rng.used()).toBe(2);
    expect(branchRules.names()).toContain('rising-test');
    registerBranchRule('broken-test', () => ({ branch: true, probability: 2 }));
    expect(() => shouldBranch(0, { ...reference, branchRule: 'broken-test' }, replay([]))).toThrow(
      `branch rule 'broken-test' returned {"branch":true,"probability":2} (expected { branch: boolean, probability: a number in [0, 1] })`,
    );
  });
});

describe('shouldBranch: consecutive-penalty (AEPO)', () => {
  const aepo: BranchRuleConfig = { ...reference, branchRule: 'consecutive-penalty', consecutivePenalty: 0.05 };
  const l = (consecutiveBranches: number) => ({ consecutiveBranches });

  it('branches iff clip((u + β·ΔH)·max(0, 1 − λ·l), 0, 1) ≥ α, one draw per call (hand-computed, α 0.5, β 0.2, λ 0.05)', () => {
    const rng = replay([0.5, 0.49, 0.52, 0.53, 0.4, 0.9, 0.999, 0.9, 0.0, 0.9]);
    const decisions = [
      // [ΔH, l, branch, probability]
      [0, 0, true, 0.5], //             0.5                    ≥ 0.5 (ties branch)
      [0, 0, false, 0.5], //            0.49                   < 0.5
      [0, 1, false, 0.4736842105263158], // 0.52·0.95 = 0.494  < 0.5 (the stochastic rule would branch); P = 1 − 0.5/0.95
      [0, 1, true, 0.4736842105263158], //  0.53·0.95 = 0.5035 ≥ 0.5
      [1, 2, true, 0.6444444444444444], //  (0.4 + 0.2)·0.9 = 0.54; P = 1 − 0.5/0.9 + 0.2
      [-1, 4, true, 0.175], //          (0.9 − 0.2)·0.8 = 0.56; P = 1 − 0.5/0.8 − 0.2
      [0, 10, false, 0], //             0.999·0.5 = 0.4995 < 0.5: at ΔH = 0 no u branches from l = 10 on
      [10, 20, false, 0], //            f = max(0, 1 − 0.05·20) = 0: score 0 whatever ΔH
      [3, 0, true, 1], //               0 + 0.6 = 0.6; P = clip(1 − 0.5 + 0.6) = 1
      [5, 25, false, 0], //             f = max(0, −0.25) = 0
    ] as const;
    for (const [deltaH, consecutive, branch, probability] of decisions) {
      const d = shouldBranch(deltaH, aepo, rng, l(consecutive));
      expect([deltaH, consecutive, d.branch]).toEqual([deltaH, consecutive, branch]);
      expect(d.probability).toBeCloseTo(probability, 15);
    }
    expect(rng.used()).toBe(decisions.length);
  });

  it('without a context l = 0; λ defaults to the schema’s 0.05 when the config omits it', () => {
    const { consecutivePenalty: _omitted, ...noLambda } = aepo;
    expect(shouldBranch(0, noLambda, replay([0.52]), l(1)).branch).toBe(false); // 0.52·0.95 = 0.494
    expect(shouldBranch(0, noLambda, replay([0.52])).branch).toBe(true); // l = 0: 0.52
    expect(shouldBranch(0, parseRolloutConfig({ branchRule: 'consecutive-penalty' }), replay([0.52]), l(1)).branch).toBe(false);
  });

  it('λ = 0 ignores l; at l = 0 P = clip(1 − α + β·ΔH), the stochastic rule’s clip(α + β·ΔH) only at α = 0.5', () => {
    const noPenalty = { ...aepo, consecutivePenalty: 0 };
    for (const deltaH of [-3, -1, 0, 0.5, 2, 4]) {
      expect(shouldBranch(deltaH, noPenalty, replay([0.3]), l(50)).probability).toBe(shouldBranch(deltaH, aepo, replay([0.3]), l(0)).probability);
      expect(shouldBranch(deltaH, aepo, replay([0.3])).probability).toBeCloseTo(branchProbability(deltaH, { alpha: 0.5, beta: 0.2 }), 15);
    }
    // α = 0.3: AEPO branches iff u + β·ΔH ≥ 0.3 (P = 0.7 at ΔH = 0), ARPO iff u − β·ΔH ≤ 0.3 (P = 0.3).
    expect(shouldBranch(0, { ...aepo, branchProbability: 0.3 }, replay([0.5])).probability).toBeCloseTo(0.7, 15);
    expect(shouldBranch(0, { ...aepo, branchProbability: 0.3 }, replay([0.5])).branch).toBe(true);
    expect(shouldBranch(0, { ...reference, branchProbability: 0.3 }, replay([0.5])).branch).toBe(false);
  });

  it('α = 0 always branches (a clipped score is ≥ 0), even when the penalty zeroes the score', () => {
    expect(shouldBranch(-10, { ...aepo, branchProbability: 0 }, replay([0]), l(100))).toEqual({ branch: true, probability: 1 });
    expect(consecutivePenaltyProbability(-10, { alpha: 0, beta: 0.2, lambda: 0.05, consecutiveBranches: 100 })).toBe(1);
  });

  it('branches with frequency consecutivePenaltyProbability', () => {
    const rng = createRng('aepo-frequency');
    for (const [deltaH, consecutive] of [
      [0, 0],
      [0, 3],
      [1, 5],
      [-1, 2],
      [2, 8],
    ] as const) {
      let hits = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) if (shouldBranch(deltaH, aepo, rng, l(consecutive)).branch) hits++;
      const p = consecutivePenaltyProbability(deltaH, { alpha: 0.5, beta: 0.2, lambda: 0.05, consecutiveBranches: consecutive });
      expect(Math.abs(hits / n - p)).toBeLessThan(0.015);
    }
  });

  it('a rule of three arguments keeps working when a context is given', () => {
    registerBranchRule('three-args-test', (deltaH, _config, rng) => {
      rng.next();
      return { branch: deltaH > 0, probability: deltaH > 0 ? 1 : 0 };
    });
    expect(shouldBranch(1, { ...reference, branchRule: 'three-args-test' }, replay([0.1]), l(7))).toEqual({ branch: true, probability: 1 });
  });

  it('rejects a negative λ and a bad l, naming the field', () => {
    expect(() => shouldBranch(0, { ...aepo, consecutivePenalty: -0.1 }, replay([0.5]))).toThrow(
      'Invalid branch rule config: consecutivePenalty = -0.1 (expected a finite number >= 0)',
    );
    expect(() => shouldBranch(0, aepo, replay([0.5]), l(-1))).toThrow('Invalid branch rule context: consecutiveBranches = -1 (expected an integer >= 0)');
    expect(() => shouldBranch(0, aepo, replay([0.5]), l(1.5))).toThrow('consecutiveBranches = 1.5');
    expect(() => consecutivePenaltyProbability(0, { alpha: 0.5, beta: 0.2, lambda: Number.NaN, consecutiveBranches: 0 })).toThrow('lambda = NaN');
    expect(branchRules.names().slice(0, 3)).toEqual(['stochastic', 'threshold', 'consecutive-penalty']);
  });
});
