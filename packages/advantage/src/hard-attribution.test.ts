import { createRng, RolloutGroupSchema, type RolloutGroup } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import type { TrajectoryAdvantages } from './advantage-group.js';
import { BranchPrefixError } from './branch-prefix-error.js';
import { grpoAdvantages } from './grpo-advantages.js';
import { hardAttribution } from './hard-attribution.js';
import { sharingCounts } from './sharing-counts.js';
import { softAttribution } from './soft-attribution.js';
import { buildGroup, randomTree } from './test-support/tree-fixtures.js';

function values(out: readonly TrajectoryAdvantages[]): number[][] {
  return out.map((o) => Array.from(o.advantages));
}

function expectClose(actual: readonly TrajectoryAdvantages[], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((row, i) => {
    const got = actual[i]!.advantages;
    expect(got).toHaveLength(row.length);
    row.forEach((v, j) => expect(got[j], `trajectory ${i} token ${j}`).toBeCloseTo(v, 6));
  });
}

/** Σ_i Σ_t mask_{i,t}·Â_{i,t}, accumulated in float64. */
function maskedTotal(out: readonly TrajectoryAdvantages[]): number {
  let total = 0;
  for (const o of out) o.advantages.forEach((a, j) => (total += o.lossMask[j]! * a));
  return total;
}

/**
 * The INDEPENDENT reference: a prefix trie over the actual token sequences. The trie node reached after
 * tokens [0, j] of trajectory i holds every trajectory with that same prefix; in the tree-built fixtures
 * (own tokens unique per trajectory) identical prefixes are exactly shared-by-descent tokens, so the d
 * sharers of (i, j) are that node's members, and Â^{shared}_{i,j} = mean of their A_k.
 */
function trieAttribution(group: RolloutGroup, advantages: readonly number[]): { hard: number[][]; d: number[][] } {
  interface TrieNode {
    children: Map<number, TrieNode>;
    members: number[];
  }
  const root: TrieNode = { children: new Map(), members: [] };
  const paths = group.trajectories.map((t, i) => {
    let node = root;
    return t.responseTokens.map((token) => {
      let child = node.children.get(token);
      if (!child) {
        child = { children: new Map(), members: [] };
        node.children.set(token, child);
      }
      child.members.push(i);
      node = child;
      return child;
    });
  });
  const hard = paths.map((path, i) =>
    path.map((node, j) =>
      group.trajectories[i]!.lossMask[j] === 0 ? 0 : node.members.reduce((s, k) => s + advantages[k]!, 0) / node.members.length,
    ),
  );
  const d = paths.map((path) => path.map((node) => node.members.length));
  return { hard, d };
}

describe('hardAttribution', () => {
  it('equals soft on a single global trajectory', () => {
    // m3 t2 m2: mask [1,1,1,0,0,1,1]; no sharing, d = 1 everywhere
    const group = buildGroup([{ id: 'g', parts: [['m', 3], ['t', 2], ['m', 2]] }]);
    const hard = hardAttribution(group, [0.75]);
    expect(values(hard)).toEqual([[0.75, 0.75, 0.75, 0, 0, 0.75, 0.75]]);
    expect(values(hard)).toEqual(values(softAttribution(group, [0.75])));
  });

  it('gives a group of one its own advantage, r/(1 + ε) from GRPO', () => {
    const group = buildGroup([{ id: 'g', parts: [['m', 2], ['eos']] }]);
    // group of one: mean 0, std 1 -> A = 1/(1 + 1e-6) = 0.999999000001
    const a = grpoAdvantages([1]);
    expect(a[0]).toBeCloseTo(0.999999000001, 15);
    expect(Array.from(hardAttribution(group, a)[0]!.advantages)).toEqual([Math.fround(a[0]!), Math.fround(a[0]!), Math.fround(a[0]!)]);
  });

  it('two-level branch: the shared prefix gets the mean of parent and child', () => {
    // P: m3 t2 m2 (positions 0-2 model, 3-4 tool, 5-6 model); C forks at 5 (after the tool result) and adds m2.
    // A = [1, −0.5]. Positions 0..4 are shared by d = 2: (1 + (−0.5))/2 = 0.25 (tool positions 3, 4 -> 0).
    // Own tails: P 5..6 -> 1; C 5..6 -> −0.5.
    const group = buildGroup([
      { id: 'P', parts: [['m', 3], ['t', 2], ['m', 2]] },
      { id: 'C', parent: 'P', at: 5, parts: [['m', 2]] },
    ]);
    const hard = hardAttribution(group, [1, -0.5]);
    expect(values(hard)).toEqual([
      [0.25, 0.25, 0.25, 0, 0, 1, 1],
      [0.25, 0.25, 0.25, 0, 0, -0.5, -0.5],
    ]);
    expect(Array.from(hard[1]!.lossMask)).toEqual([1, 1, 1, 0, 0, 1, 1]);
    // conservation: soft total = 5·1 + 5·(−0.5) = 2.5; hard total = 3·0.25·2 + 2·1 + 2·(−0.5) = 1.5 + 2 − 1 = 2.5
    expect(maskedTotal(hard)).toBe(2.5);
    expect(maskedTotal(softAttribution(group, [1, -0.5]))).toBe(2.5);
  });

  it('branch of a branch: prefix shared by 3, middle by 2, tails own', () => {
    // R : m2 t1 m2 t1 m2          -> positions 0-1 m, 2 t, 3-4 m, 5 t, 6-7 m (length 8)
    // B1: R[0,3) + m2 t1 m2       -> forks at 3 (after R's first tool result), length 8
    // B2: B1[0,6) + m3            -> forks at 6 (after B1's tool result), length 9
    // A = [0.9, 0.3, −0.6]
    //   positions 0..2 (d = 3): (0.9 + 0.3 − 0.6)/3 = 0.2   (2 is a tool token -> 0)
    //   B1 positions 3..5 shared with B2 (d = 2): (0.3 − 0.6)/2 = −0.15   (5 is a tool token -> 0)
    //   R 3..7 own: 0.9 (5 tool -> 0); B1 6..7 own: 0.3; B2 6..8 own: −0.6
    const group = buildGroup([
      { id: 'R', parts: [['m', 2], ['t', 1], ['m', 2], ['t', 1], ['m', 2]] },
      { id: 'B1', parent: 'R', at: 3, parts: [['m', 2], ['t', 1], ['m', 2]] },
      { id: 'B2', parent: 'B1', at: 6, parts: [['m', 3]] },
    ]);
    const hard = hardAttribution(group, [0.9, 0.3, -0.6]);
    expectClose(hard, [
      [0.2, 0.2, 0, 0.9, 0.9, 0, 0.9, 0.9],
      [0.2, 0.2, 0, -0.15, -0.15, 0, 0.3, 0.3],
      [0.2, 0.2, 0, -0.15, -0.15, 0, -0.6, -0.6, -0.6],
    ]);
    expect(sharingCounts(group).map((d) => Array.from(d))).toEqual([
      [3, 3, 3, 1, 1, 1, 1, 1],
      [3, 3, 3, 2, 2, 2, 1, 1],
      [3, 3, 3, 2, 2, 2, 1, 1, 1],
    ]);
  });

  it('two children of one parent at different branch points', () => {
    // P : m2 t2 m2 t2 m2  -> 0-1 m, 2-3 t, 4-5 m, 6-7 t, 8-9 m (length 10)
    // C1: P[0,4) + m3 (forks after the first tool result); C2: P[0,8) + m1 (after the second)
    // A = [2, −1, 0.5]
    //   0..3 shared by P, C1, C2 (d = 3): (2 − 1 + 0.5)/3 = 0.5       (2, 3 tool -> 0)
    //   4..7 shared by P, C2 (d = 2):     (2 + 0.5)/2 = 1.25          (6, 7 tool -> 0)
    //   own: P 8..9 -> 2; C1 4..6 -> −1; C2 8 -> 0.5
    const group = buildGroup([
      { id: 'P', parts: [['m', 2], ['t', 2], ['m', 2], ['t', 2], ['m', 2]] },
      { id: 'C1', parent: 'P', at: 4, parts: [['m', 3]] },
      { id: 'C2', parent: 'P', at: 8, parts: [['m', 1]] },
    ]);
    const hard = hardAttribution(group, [2, -1, 0.5]);
    expect(values(hard)).toEqual([
      [0.5, 0.5, 0, 0, 1.25, 1.25, 0, 0, 2, 2],
      [0.5, 0.5, 0, 0, -1, -1, -1],
      [0.5, 0.5, 0, 0, 1.25, 1.25, 0, 0, 0.5],
    ]);
    // conservation: soft = 6·2 + 5·(−1) + 5·0.5 = 9.5; hard = (1 + 2.5 + 4) + (1 − 3) + (1 + 2.5 + 0.5) = 9.5
    expect(maskedTotal(hard)).toBe(9.5);
    expect(maskedTotal(softAttribution(group, [2, -1, 0.5]))).toBe(9.5);
  });

  it('gives 0 with mask 0 on tool-result tokens, shared or not, in both estimators', () => {
    const group = buildGroup([
      { id: 'P', parts: [['t', 2], ['m', 1], ['t', 3]] },
      { id: 'C', parent: 'P', at: 4, parts: [['t', 1], ['eos']] },
    ]);
    for (const out of [hardAttribution(group, [3, 1]), softAttribution(group, [3, 1])]) {
      for (const o of out) {
        o.lossMask.forEach((m, j) => {
          if (m === 0) expect(o.advantages[j]).toBe(0);
        });
      }
      expect(Array.from(out[0]!.lossMask)).toEqual([0, 0, 1, 0, 0, 0]);
      expect(Array.from(out[1]!.lossMask)).toEqual([0, 0, 1, 0, 0, 1]);
    }
    // shared model token 2: (3 + 1)/2 = 2; C's injected EOS is its own: 1
    expect(values(hardAttribution(group, [3, 1]))).toEqual([
      [0, 0, 2, 0, 0, 0],
      [0, 0, 2, 0, 0, 1],
    ]);
  });

  it('equals soft when there are no branches (several globals and refills)', () => {
    const group = buildGroup([
      { id: 'a', parts: [['m', 2], ['t', 1], ['m', 1]] },
      { id: 'b', parts: [['m', 4]] },
      { id: 'c', parts: [['m', 1], ['eos']] },
    ]);
    const a = grpoAdvantages([1, 0, 0.5]);
    expect(values(hardAttribution(group, a))).toEqual(values(softAttribution(group, a)));
  });

  it('treats a fork at 0 as sharing nothing and a fork at the end as sharing everything', () => {
    const group = buildGroup([
      { id: 'P', parts: [['m', 2]] },
      { id: 'Z', parent: 'P', at: 0, parts: [['m', 2]] },
      { id: 'E', parent: 'P', at: 2, parts: [] },
    ]);
    // Z shares nothing: own −1. P and E share both tokens (E is a copy): (1 + 0.5)/2 = 0.75
    expect(values(hardAttribution(group, [1, -1, 0.5]))).toEqual([
      [0.75, 0.75],
      [-1, -1],
      [0.75, 0.75],
    ]);
  });

  it('throws BranchPrefixError when a branch does not start with its parent\'s tokens', () => {
    const group = buildGroup([
      { id: 'P', parts: [['m', 4]] },
      { id: 'C', parent: 'P', at: 3, parts: [['m', 1]] },
    ]);
    const forged = {
      ...group,
      trajectories: [group.trajectories[0]!, { ...group.trajectories[1]!, responseTokens: [1000, 1001, 9, 2000] }],
    };
    expect(() => hardAttribution(forged, [1, 0])).toThrow(BranchPrefixError);
    expect(() => hardAttribution(forged, [1, 0])).toThrow('trajectory "C" (trajectories[1]) responseTokens[2] = 9');
    // soft attribution does not read the tree
    expect(() => softAttribution(forged, [1, 0])).not.toThrow();
  });

  describe('on random seeded trees', () => {
    const seeds = Array.from({ length: 300 }, (_, s) => s);

    it('matches the prefix-trie reference (values and d) and conserves the masked total', () => {
      let branched = 0;
      for (const seed of seeds) {
        const { specs, rewards } = randomTree(createRng(`advantage-tree-${seed}`), 8);
        const group = buildGroup(specs, rewards);
        expect(RolloutGroupSchema.safeParse(group).success).toBe(true);
        const a = grpoAdvantages(rewards);
        const hard = hardAttribution(group, a);
        const soft = softAttribution(group, a);
        const reference = trieAttribution(group, a);
        if (group.trajectories.some((t) => t.parentId !== null)) branched++;

        // per token: equal to the trie mean (float32 storage), same d
        hard.forEach((o, i) => {
          expect(o.advantages).toHaveLength(reference.hard[i]!.length);
          o.advantages.forEach((v, j) => expect(v, `seed ${seed} trajectory ${i} token ${j}`).toBeCloseTo(reference.hard[i]![j]!, 5));
        });
        expect(sharingCounts(group).map((d) => Array.from(d))).toEqual(reference.d);

        // conservation: Σ mask·Â_hard = Σ mask·Â_soft, since each shared position's mean over its d sharers
        // sums back to the sharers' own advantages
        const scale = soft.reduce((s, o) => s + o.advantages.reduce((t, v) => t + Math.abs(v), 0), 0) + 1;
        expect(Math.abs(maskedTotal(hard) - maskedTotal(soft)), `seed ${seed}`).toBeLessThan(1e-6 * scale);

        // and with no branch at all, hard is soft exactly
        if (group.trajectories.every((t) => t.parentId === null)) expect(values(hard)).toEqual(values(soft));
      }
      // the generator really produces trees
      expect(branched).toBeGreaterThan(200);
    });
  });
});
