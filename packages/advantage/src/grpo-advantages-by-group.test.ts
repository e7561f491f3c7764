import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { grpoAdvantages } from './grpo-advantages.js';
import { grpoAdvantagesByGroup } from './grpo-advantages-by-group.js';

describe('grpoAdvantagesByGroup', () => {
  it('normalises each uid group on its own, rows in input order (groups need not be contiguous)', () => {
    //            a  a  b  a  a  b  c
    const r = [1, 0, 5, 0, 1, 5, 7];
    const ids = ['a', 'a', 'b', 'a', 'a', 'b', 'c'];
    const a = grpoAdvantagesByGroup(r, ids);
    // a: [1, 0, 0, 1] -> ±0.8660239037870368 (see grpo-advantages.test.ts)
    // b: [5, 5] -> std 0 -> 0, 0
    // c: [7] -> group of one: 7/(1 + 1e-6) = 6.9999930000070005
    const expected = [0.8660239037870368, -0.8660239037870368, 0, -0.8660239037870368, 0.8660239037870368, 0, 6.9999930000070005];
    expected.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 13));
  });

  it('equals grpoAdvantages per group, for every option', () => {
    const r = [0.3, 1, -2, 0.5, 0.5, 4];
    const ids = [1, 2, 1, 2, 1, 3];
    for (const options of [{}, { std: 'biased' as const }, { normalizeByStd: false }, { eps: 0.1 }]) {
      const flat = grpoAdvantagesByGroup(r, ids, options);
      const g1 = grpoAdvantages([0.3, -2, 0.5], options);
      const g2 = grpoAdvantages([1, 0.5], options);
      const g3 = grpoAdvantages([4], options);
      expect(flat).toEqual([g1[0], g2[0], g1[1], g2[1], g1[2], g3[0]]);
    }
  });

  it('rejects mismatched lengths and non-finite rewards', () => {
    expect(() => grpoAdvantagesByGroup([1, 0], ['a'])).toThrow(ArpoConfigError);
    expect(() => grpoAdvantagesByGroup([1, 0], ['a'])).toThrow('groupIds = "1 ids" (expected 2 ids, one per reward)');
    expect(() => grpoAdvantagesByGroup([1, Number.NaN], ['a', 'b'])).toThrow('rewards[1] = NaN');
    expect(grpoAdvantagesByGroup([], [])).toEqual([]);
  });
});
