import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { grpoAdvantages } from './grpo-advantages.js';

// Reference values were checked with numpy (python3, numpy 2.x), printing repr(float(x)):
//   r = np.array([1,0,0,1.]); (r - r.mean()) / (r.std(ddof=1) + 1e-6)  -> ±0.8660239037870368
//   r = np.array([1,0,0,1.]); (r - r.mean()) / (r.std(ddof=0) + 1e-6)  -> ±0.999998000004
//   r = np.array([0,1,2,3.]); r.std(ddof=1) -> 1.2909944487358056;
//     (r - r.mean()) / (r.std(ddof=1) + 1e-6) -> [-1.1618941038629222, -0.3872980346209741, 0.3872980346209741, 1.1618941038629222]
//     (r - r.mean()) / (r.std(ddof=0) + 1e-6) -> [-1.3416395865009472, -0.44721319550031574, 0.44721319550031574, 1.3416395865009472]
//   0.7 / (1 + 1e-6) -> 0.6999993000007

describe('grpoAdvantages', () => {
  it('normalises [1, 0, 0, 1] with the unbiased std (reference default)', () => {
    // mean = 0.5; unbiased var = (4 · 0.25)/(4 − 1) = 1/3; std = sqrt(1/3) = 0.5773502691896257
    // A = ±0.5 / (0.5773502691896257 + 1e-6) = ±0.8660239037870368 (±0.8660254037844386 without ε)
    const a = grpoAdvantages([1, 0, 0, 1]);
    const expected = [0.8660239037870368, -0.8660239037870368, -0.8660239037870368, 0.8660239037870368];
    a.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });

  it('uses N instead of N − 1 with std: biased', () => {
    // biased var = (4 · 0.25)/4 = 0.25; std = 0.5; A = ±0.5 / 0.500001 = ±0.999998000004
    const a = grpoAdvantages([1, 0, 0, 1], { std: 'biased' });
    expect(a.map((v) => Math.abs(v))).toEqual(a.map(() => expect.closeTo(0.999998000004, 14)));
    expect(Math.sign(a[0]!)).toBe(1);
    expect(Math.sign(a[1]!)).toBe(-1);
  });

  it('biased and unbiased differ by sqrt(N/(N−1)) on [0, 1, 2, 3]', () => {
    // mean 1.5; Σ(r − mean)² = 2.25 + 0.25 + 0.25 + 2.25 = 5
    // unbiased std = sqrt(5/3) = 1.2909944487358056 -> A_0 = −1.5/1.2909954487358056 = −1.1618941038629222
    // biased std   = sqrt(5/4) = 1.118033988749895  -> A_0 = −1.5/1.118034988749895  = −1.3416395865009472
    const unbiased = grpoAdvantages([0, 1, 2, 3]);
    const biased = grpoAdvantages([0, 1, 2, 3], { std: 'biased' });
    [-1.1618941038629222, -0.3872980346209741, 0.3872980346209741, 1.1618941038629222].forEach((v, i) =>
      expect(unbiased[i]).toBeCloseTo(v, 14),
    );
    [-1.3416395865009472, -0.44721319550031574, 0.44721319550031574, 1.3416395865009472].forEach((v, i) =>
      expect(biased[i]).toBeCloseTo(v, 14),
    );
  });

  it('gives r − mean with normalizeByStd: false (Dr. GRPO)', () => {
    // mean 0.5 -> [0.5, −0.5, −0.5, 0.5]; [0,1,2,3] mean 1.5 -> [−1.5, −0.5, 0.5, 1.5]
    expect(grpoAdvantages([1, 0, 0, 1], { normalizeByStd: false })).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(grpoAdvantages([0, 1, 2, 3], { normalizeByStd: false })).toEqual([-1.5, -0.5, 0.5, 1.5]);
  });

  it('gives a group of one mean 0 and std 1: A = r/(1 + ε)', () => {
    // 0.7 / (1 + 1e-6) = 0.6999993000007, whatever the std mode
    expect(grpoAdvantages([0.7])[0]).toBeCloseTo(0.6999993000007, 15);
    expect(grpoAdvantages([0.7], { std: 'biased' })[0]).toBeCloseTo(0.6999993000007, 15);
    // mean 0 also without the std: A = r − 0 = r
    expect(grpoAdvantages([0.7], { normalizeByStd: false })).toEqual([0.7]);
    expect(grpoAdvantages([0])).toEqual([0]);
    expect(grpoAdvantages([1], { eps: 0 })).toEqual([1]);
  });

  it('gives exactly 0 for all-equal rewards (std 0)', () => {
    expect(grpoAdvantages([1, 1, 1, 1])).toEqual([0, 0, 0, 0]);
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004 in float64, so sum/n alone would leave residues of ~1e-11
    expect(grpoAdvantages([0.1, 0.1, 0.1])).toEqual([0, 0, 0]);
    expect(grpoAdvantages([0.1, 0.1, 0.1], { std: 'biased' })).toEqual([0, 0, 0]);
    // ε = 0 would be 0/0 = NaN in the reference; here it is 0
    expect(grpoAdvantages([-1, -1], { eps: 0 })).toEqual([0, 0]);
  });

  it('applies eps as given', () => {
    // ε = 0: A = ±0.5/sqrt(1/3) = ±sqrt(3)/2 = ±0.8660254037844386
    expect(grpoAdvantages([1, 0, 0, 1], { eps: 0 })[0]).toBeCloseTo(Math.sqrt(3) / 2, 15);
    // ε = 0.5, biased: ±0.5/(0.5 + 0.5) = ±0.5
    expect(grpoAdvantages([1, 0, 0, 1], { eps: 0.5, std: 'biased' })).toEqual([0.5, -0.5, -0.5, 0.5]);
  });

  it('sums to zero over the group (centred) and accepts typed arrays', () => {
    const a = grpoAdvantages(Float32Array.from([0.25, -1, 3, 0.5, 0.5]));
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    expect(a).toHaveLength(5);
    expect(grpoAdvantages([])).toEqual([]);
  });

  it('rejects non-finite rewards naming the index and value', () => {
    expect(() => grpoAdvantages([1, 0, Number.NaN, 1])).toThrow(ArpoConfigError);
    expect(() => grpoAdvantages([1, 0, Number.NaN, 1])).toThrow('Invalid rewards: rewards[2] = NaN (expected a finite number)');
    expect(() => grpoAdvantages([Infinity, 0, -Infinity])).toThrow(
      'Invalid rewards: rewards[0] = Infinity (expected a finite number); rewards[2] = -Infinity (expected a finite number)',
    );
    try {
      grpoAdvantages([0, Number.NaN]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ArpoConfigError);
      expect((e as ArpoConfigError).subject).toBe('rewards');
      expect((e as ArpoConfigError).field).toBe('rewards[1]');
    }
  });

  it('rejects invalid options with the advantage-config error', () => {
    expect(() => grpoAdvantages([1, 0], { eps: -1 })).toThrow('Invalid advantage config: eps = -1 (expected a number >= 0)');
    expect(() => grpoAdvantages([1, 0], { std: 'population' as 'biased' })).toThrow(/std = "population"|std = population/);
  });
});
