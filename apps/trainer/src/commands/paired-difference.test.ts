import { describe, expect, it } from 'vitest';
import { pairedDifference, tQuantile975 } from './paired-difference.js';

describe('pairedDifference', () => {
  it('gives the mean difference and the t-interval over the shared keys', () => {
    // d = [0.1, 0.0, 0.2]: mean 0.1, s = 0.1, t(2) = 4.303, half = 4.303·0.1/√3 = 0.248434…
    const x = new Map([[0, 0.7], [1, 0.6], [2, 0.9], [5, 0.1]]);
    const y = new Map([[0, 0.6], [1, 0.6], [2, 0.7]]);
    const r = pairedDifference(x, y);
    expect(r.pairs).toBe(3);
    expect(r.mean).toBeCloseTo(0.1, 12);
    expect(r.interval95![0]).toBeCloseTo(0.1 - 0.2484339, 6);
    expect(r.interval95![1]).toBeCloseTo(0.1 + 0.2484339, 6);
  });

  it('has no interval for one pair and NaN for none', () => {
    expect(pairedDifference(new Map([[0, 1]]), new Map([[0, 0.5]]))).toEqual({ mean: 0.5, interval95: null, pairs: 1 });
    expect(pairedDifference(new Map([[0, 1]]), new Map([[1, 0.5]])).pairs).toBe(0);
  });

  it('uses Student t quantiles', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(100)).toBe(1.96);
    expect(() => tQuantile975(0)).toThrow(/df = 0/);
  });
});
