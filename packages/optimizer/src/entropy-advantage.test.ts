import { describe, expect, it } from 'vitest';
import { entropyAwareAdvantages, entropyZScores } from './entropy-advantage.js';

describe('entropy-aware advantage (AEPO) by hand', () => {
  it('z(H) = (H − mean)/std over the trained tokens, std with N − 1', () => {
    // H = [1, 2, 3, 10], mask [1, 1, 1, 0]: mean 2, std = √((1 + 0 + 1)/2) = 1 → z = [−1, 0, 1, 0 (untrained)]
    expect(Array.from(entropyZScores([1, 2, 3, 10], [1, 1, 1, 0]))).toEqual([-1, 0, 1, 0]);
    // H = [0, 1, 5]: mean 2, std = √((4 + 1 + 9)/2) = √7 → z = [−2, −1, 3]/√7
    const z = entropyZScores([0, 1, 5], [1, 1, 1]);
    [-2, -1, 3].forEach((d, i) => expect(z[i]).toBeCloseTo(d / Math.sqrt(7), 14));
  });

  it('Ã = A·(1 + a·z): a = 0.2 on H = [1, 2, 3, 10], mask [1, 1, 1, 0], A = [1, 1, −2, 5]', () => {
    // z = [−1, 0, 1, 0] → Ã = [1·0.8, 1·1, −2·1.2, 5·1] = [0.8, 1, −2.4, 5] (the untrained token keeps A)
    const got = entropyAwareAdvantages([1, 1, -2, 5], [1, 2, 3, 10], [1, 1, 1, 0], 0.2);
    [0.8, 1, -2.4, 5].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 14));
  });

  it('std 0 → 1 (z = 0), one trained token → z = 0 (torch: NaN), none → zeros, a = 0 → A', () => {
    expect(Array.from(entropyZScores([0.5, 0.5, 0.5], [1, 1, 1]))).toEqual([0, 0, 0]);
    expect(Array.from(entropyZScores([0.7, 9], [1, 0]))).toEqual([0, 0]);
    expect(Array.from(entropyZScores([0.7, 9], [0, 0]))).toEqual([0, 0]);
    expect(Array.from(entropyAwareAdvantages([1, -2], [0, 5], [1, 1], 0))).toEqual([1, -2]);
  });

  it('ignores entropies of untrained positions (NaN padding) and rejects a non-finite one at a trained token', () => {
    // H = [1, NaN (untrained), 3]: mean 2, std √2 → z = [−1/√2, 0, 1/√2]
    const z = entropyZScores([1, Number.NaN, 3], [1, 0, 1]);
    [-Math.SQRT1_2, 0, Math.SQRT1_2].forEach((v, i) => expect(z[i]).toBeCloseTo(v, 14));
    expect(() => entropyZScores([1, Number.NaN], [1, 1])).toThrow(/entropies\[1\] = NaN/);
    expect(() => entropyAwareAdvantages([1], [1], [1], -0.1)).toThrow(/weight = -0.1/);
    expect(() => entropyZScores([1, 2], [1])).toThrow(/mask has 1 entries \(expected 2\)/);
  });
});
