import { ArpoConfigError, parseAdvantageConfig } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { advantageEstimators, registerAdvantageEstimator } from './advantage-estimators.js';
import { computeAdvantages } from './compute-advantages.js';
import { grpoAdvantages } from './grpo-advantages.js';
import { hardAttribution } from './hard-attribution.js';
import { softAttribution } from './soft-attribution.js';
import { buildGroup } from './test-support/tree-fixtures.js';

// P: m3 t2 m2, C forks at 5 and adds m2 (see hard-attribution.test.ts)
const specs = [
  { id: 'P', parts: [['m', 3], ['t', 2], ['m', 2]] as const },
  { id: 'C', parent: 'P', at: 5, parts: [['m', 2]] as const },
];

describe('computeAdvantages', () => {
  it('defaults to GRPO + soft attribution (the reference)', () => {
    const group = buildGroup(specs, [1, 0]);
    // mean 0.5; unbiased std = sqrt(0.5) = 0.7071067811865476; A = ±0.5/0.7071077811865476 = ±0.7071057811879616
    // (numpy: r = np.array([1, 0.]); (r - r.mean()) / (r.std(ddof=1) + 1e-6) -> [0.7071057811879616, -0.7071057811879616])
    const out = computeAdvantages(group);
    expect(out.promptId).toBe('p0');
    expect(out.estimator).toBe('soft');
    expect(out.scalarAdvantages[0]).toBeCloseTo(0.7071057811879616, 14);
    expect(out.scalarAdvantages[1]).toBeCloseTo(-0.7071057811879616, 14);
    const a = Math.fround(0.7071057811879616);
    expect(Array.from(out.trajectories[0]!.advantages)).toEqual([a, a, a, 0, 0, a, a]);
    expect(Array.from(out.trajectories[1]!.advantages)).toEqual([-a, -a, -a, 0, 0, -a, -a]);
  });

  it('hard: the prefix shared by ±A averages to 0', () => {
    const group = buildGroup(specs, [1, 0]);
    const out = computeAdvantages(group, { estimator: 'hard' });
    const a = Math.fround(0.7071057811879616);
    // shared 0..4: (A − A)/2 = 0; own tails keep ±A
    expect(Array.from(out.trajectories[0]!.advantages)).toEqual([0, 0, 0, 0, 0, a, a]);
    expect(Array.from(out.trajectories[1]!.advantages)).toEqual([0, 0, 0, 0, 0, -a, -a]);
  });

  it('passes the normalisation options through and accepts a parsed config', () => {
    const group = buildGroup(specs, [3, 1]);
    for (const input of [{ std: 'biased' as const }, { normalizeByStd: false }, { eps: 0.25, estimator: 'hard' as const }]) {
      const config = parseAdvantageConfig(input);
      const out = computeAdvantages(group, config);
      const a = grpoAdvantages([3, 1], config);
      expect(out.scalarAdvantages).toEqual(a);
      const attribute = config.estimator === 'hard' ? hardAttribution : softAttribution;
      expect(out.trajectories).toEqual(attribute(group, a));
    }
    // normalizeByStd false: mean 2 -> [1, −1]
    expect(computeAdvantages(group, { normalizeByStd: false }).scalarAdvantages).toEqual([1, -1]);
  });

  it('needs rewards, naming the promptId', () => {
    const group = buildGroup(specs, undefined, 'prompt-42');
    expect(() => computeAdvantages(group)).toThrow(ArpoConfigError);
    expect(() => computeAdvantages(group)).toThrow(
      'Invalid rollout group "prompt-42": rewards = undefined (missing) (expected 2 rewards, one per trajectory (score the group first))',
    );
    expect(() => computeAdvantages({ ...group, rewards: [1] })).toThrow('Invalid rollout group "prompt-42": rewards = "1 rewards" (expected 2 rewards');
    expect(() => computeAdvantages({ ...group, rewards: [1, Number.NaN] })).toThrow(
      'Invalid rewards of rollout group "prompt-42": rewards[1] = NaN (expected a finite number)',
    );
  });

  it('rejects a bad config naming the field', () => {
    const group = buildGroup(specs, [1, 0]);
    expect(() => computeAdvantages(group, { estimator: 'medium' })).toThrow(
      'Invalid advantage estimator config: advantage.estimator = "medium" (expected one of the registered advantage estimators: soft, hard',
    );
    expect(() => computeAdvantages(group, { eps: -1 })).toThrow('eps = -1 (expected a number >= 0)');
  });

  it('runs an estimator registered by name (RLOO here), checks its result and lists it among the known names', () => {
    const group = buildGroup(specs, [1, 0]);
    // RLOO: A_i = r_i − mean of the other rewards; on every token of trajectory i (soft attribution).
    registerAdvantageEstimator('rloo-test', (g) => {
      const sum = g.rewards.reduce((a, b) => a + b, 0);
      const scalarAdvantages = g.rewards.map((r) => r - (sum - r) / (g.rewards.length - 1));
      return {
        scalarAdvantages,
        trajectories: g.trajectories.map((t, i) => ({
          id: t.id,
          advantages: Float32Array.from(t.responseTokens, () => scalarAdvantages[i]!),
          lossMask: Uint8Array.from(t.lossMask),
        })),
      };
    });
    const out = computeAdvantages(group, { estimator: 'rloo-test' });
    expect(out.estimator).toBe('rloo-test');
    expect(out.scalarAdvantages).toEqual([1, -1]); // 1 − 0 and 0 − 1
    expect(Array.from(out.trajectories[1]!.advantages)).toEqual(group.trajectories[1]!.responseTokens.map(() => -1));
    expect(advantageEstimators.names().slice(0, 3)).toEqual(['soft', 'hard', 'rloo-test']);
    expect(() => registerAdvantageEstimator('rloo-test', () => ({ scalarAdvantages: [], trajectories: [] }))).toThrow(
      "Invalid advantage estimator registration: name = \"rloo-test\" (expected a name not registered yet (pass { replace: true } to replace the advantage estimator 'rloo-test'))",
    );
    registerAdvantageEstimator('rloo-test', () => ({ scalarAdvantages: [0], trajectories: [] }), { replace: true });
    expect(() => computeAdvantages(group, { estimator: 'rloo-test' })).toThrow(
      `Invalid advantage estimator 'rloo-test' result for group '${group.promptId}': scalarAdvantages.length = 1 (expected 2, one per trajectory)`,
    );
  });
});
