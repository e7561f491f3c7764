import { describe, expect, it } from 'vitest';
import { clippedSurrogate, surrogateToken } from './clipped-surrogate.js';
import { entropyBalancedSurrogate, entropyBalancedToken } from './entropy-balanced-clipping.js';
import { lossBatch } from './testing/loss-batch.js';

// ε_low = ε_high = 0.2, c = 3; log π_old = 0 and log πθ = ln ρ (exact ρ). One token per branch:
//   k  ρ    A    L1 = −A·ρ  L2 = −A·clamp(ρ, 0.8, 1.2)  max      A<0: min(·, −3A)  branch  dL/dlog πθ: dual-clip | entropy-balanced
//   0  1.5   2   −3         −2.4                         −2.4     −                 high    0             | −(1+ε_high)·A = −2.4
//   1  0.5  −1    0.5        0.8                          0.8     min(0.8, 3) = 0.8 low     0             | 0 (min_bound is a constant)
//   2  1.1   1   −1.1       −1.1                         −1.1     −                 none    −A·ρ = −1.1   | −1.1
//   3  4    −1    4          1.2                          4       min(4, 3) = 3     dual    0             | 0 (−A·c is a constant)
const CLIP = { clipRatioLow: 0.2, clipRatioHigh: 0.2, clipRatioC: 3 };
const RHO = [1.5, 0.5, 1.1, 4];
const A = [2, -1, 1, -1];
const LOSS = [-2.4, 0.8, -1.1, 3];
const BRANCH = ['high', 'low', 'none', 'dual'];
const GRAD_DUAL_CLIP = [0, 0, -1.1, 0];
const GRAD_ENTROPY_BALANCED = [-2.4, 0, -1.1, 0];

/** Central difference of `f` at x. */
const fd = (f: (x: number) => number, x: number, h = 1e-6): number => (f(x + h) - f(x - h)) / (2 * h);

describe('entropy-balanced clipping (AEPO) by hand', () => {
  it('has the loss, ratio and branch of dual-clip on every branch', () => {
    RHO.forEach((rho, k) => {
      const t = entropyBalancedToken(Math.log(rho), 0, A[k]!, CLIP);
      expect(t.loss).toBeCloseTo(LOSS[k]!, 12);
      expect(t.branch).toBe(BRANCH[k]);
      expect(t).toEqual(surrogateToken(Math.log(rho), 0, A[k]!, CLIP)); // bit for bit
    });
  });

  it('with sg(ρ) held fixed, a clipped token with A > 0 and ρ > 1 + ε_high has gradient −(1 + ε_high)·A (dual-clip: 0)', () => {
    RHO.forEach((rho, k) => {
      const lp = Math.log(rho);
      const eb = fd((x) => entropyBalancedToken(x, 0, A[k]!, CLIP, lp).loss, lp); // stop-gradient semantics
      const dc = fd((x) => surrogateToken(x, 0, A[k]!, CLIP).loss, lp);
      expect(eb, `token ${k}`).toBeCloseTo(GRAD_ENTROPY_BALANCED[k]!, 8);
      expect(dc, `token ${k}`).toBeCloseTo(GRAD_DUAL_CLIP[k]!, 8);
    });
    // The clipped positive-advantage token: non-zero, −(1 + ε_high)·A for other ε_high and A too.
    const lp = Math.log(2);
    const clip = { ...CLIP, clipRatioHigh: 0.28 };
    expect(fd((x) => entropyBalancedToken(x, 0, 0.5, clip, lp).loss, lp)).toBeCloseTo(-1.28 * 0.5, 8);
  });

  it('without the stop-gradient (sg re-evaluated with ρ) the value is PPO\'s: its finite difference is 0 on the clipped token', () => {
    const lp = Math.log(1.5);
    expect(fd((x) => entropyBalancedToken(x, 0, 2, CLIP).loss, lp)).toBeCloseTo(0, 8);
  });

  it('equals clippedSurrogate bit for bit on a random batch (every branch)', () => {
    const x = lossBatch(21);
    for (const clip of [CLIP, { clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3 }]) {
      const eb = entropyBalancedSurrogate(x.logprobs, x.oldLogprobs, x.advantages, clip);
      const dc = clippedSurrogate(x.logprobs, x.oldLogprobs, x.advantages, clip);
      expect(eb).toEqual(dc);
      expect(new Set(dc.branches).size).toBe(4);
    }
  });

  it('checks its inputs like clippedSurrogate', () => {
    expect(() => entropyBalancedSurrogate([0, 0], [0], [1, 1], CLIP)).toThrow(/oldLogprobs has 1 entries \(expected 2\)/);
    expect(() => entropyBalancedSurrogate([0], [0], [1], { ...CLIP, clipRatioC: 1 })).toThrow(/clipRatioC = 1/);
  });
});
