import { describe, expect, it } from 'vitest';
import { computeAdvantages, grpoAdvantages, sharingCounts, type GroupAdvantages } from './index.js';

// The README's example, kept here so its printed output stays true.
describe('README example', () => {
  it('prints what the README says', () => {
    const group = {
      promptId: 'q1',
      trajectories: [
        { id: 'g', responseTokens: [11, 12, 90, 91, 13, 14], lossMask: [1, 1, 0, 0, 1, 1], parentId: null, branchPoint: null },
        { id: 'b', responseTokens: [11, 12, 90, 91, 21], lossMask: [1, 1, 0, 0, 1], parentId: 'g', branchPoint: 4 },
        { id: 'r', responseTokens: [31, 32], lossMask: [1, 1], parentId: null, branchPoint: null },
      ],
      rewards: [1, 0, 0],
    };
    const show = (out: GroupAdvantages) =>
      out.trajectories.map((t) => `${t.id}: ${Array.from(t.advantages, (a) => a.toFixed(4)).join(' ')}`);

    // mean 1/3; unbiased std = sqrt(((2/3)² + 2·(1/3)²)/2) = sqrt(1/3) = 0.57735
    // A = [0.6667, −0.3333, −0.3333]/0.577351 = [1.1547, −0.5773, −0.5773]; shared: (1.1547 − 0.5773)/2 = 0.2887
    expect(grpoAdvantages(group.rewards).map((a) => a.toFixed(4))).toEqual(['1.1547', '-0.5773', '-0.5773']);
    expect(show(computeAdvantages(group))).toEqual([
      'g: 1.1547 1.1547 0.0000 0.0000 1.1547 1.1547',
      'b: -0.5773 -0.5773 0.0000 0.0000 -0.5773',
      'r: -0.5773 -0.5773',
    ]);
    expect(show(computeAdvantages(group, { estimator: 'hard' }))).toEqual([
      'g: 0.2887 0.2887 0.0000 0.0000 1.1547 1.1547',
      'b: 0.2887 0.2887 0.0000 0.0000 -0.5773',
      'r: -0.5773 -0.5773',
    ]);
    expect(sharingCounts(group).map((d) => Array.from(d).join(' '))).toEqual(['2 2 2 2 1 1', '2 2 2 2 1', '1 1']);
  });
});
