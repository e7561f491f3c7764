import { ArpoConfigError, ArpoError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { tokenEntropy } from './token-entropy.js';

/**
 * The fixture logits shared with numpy: an LCG mod 2^32 (x ← 1664525·x + 1013904223, x₀ = seed) mapped to
 * [lo, hi). Python: `x=(1664525*x+1013904223)%2**32; z[j]=x/2**32*(hi-lo)+lo`.
 */
function lcgLogits(n: number, seed: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let j = 0; j < n; j++) {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    out[j] = (x / 2 ** 32) * (hi - lo) + lo;
  }
  return out;
}

const QWEN_VOCAB = 152064;

describe('tokenEntropy', () => {
  it('gives exactly ln V for uniform logits', () => {
    expect(tokenEntropy(new Float32Array(QWEN_VOCAB))).toBe(Math.log(QWEN_VOCAB));
    expect(tokenEntropy(new Array<number>(32000).fill(7.25))).toBe(Math.log(32000));
    expect(tokenEntropy([3])).toBe(0);
  });

  it('matches a hand-computed three-token distribution', () => {
    // p = (1, 2, 3)/6 from logits (0, ln 2, ln 3).
    // python3 -c "import numpy as np; p=np.array([1,2,3])/6; print(repr(-(p*np.log(p)).sum()))"
    expect(tokenEntropy([0, Math.log(2), Math.log(3)])).toBeCloseTo(1.0114042647073518, 14);
  });

  it('is finite and ~0 for one-hot logits of magnitude 1e4', () => {
    const logits = new Float32Array(QWEN_VOCAB).fill(-1e4);
    logits[1234] = 1e4;
    const h = tokenEntropy(logits);
    expect(Number.isFinite(h)).toBe(true);
    expect(h).toBe(0);
    // Near-ties at 1e4 magnitude: the shift by the max keeps every exponent <= 0.
    // python3 -c "import numpy as np; z=np.array([1e4,1e4-5,1e4-7.5,-1e4,0.0]); m=z.max(); lp=z-m-np.log(np.exp(z-m).sum()); print(repr(-(np.exp(lp)*lp).sum()))"
    expect(tokenEntropy([1e4, 1e4 - 5, 1e4 - 7.5, -1e4, 0])).toBeCloseTo(0.04482856785250737, 14);
  });

  it('matches numpy float64 on 152064 random logits within 1e-6 relative, for T = 1, 0.7, 2', () => {
    // python3 -c "
    // import numpy as np
    // V=152064;x=12345;z=np.empty(V)
    // for j in range(V):
    //   x=(1664525*x+1013904223)%2**32; z[j]=x/2**32*20-10
    // def H(z,T=1.0):
    //   z=z/T; m=z.max(); lp=z-m-np.log(np.exp(z-m).sum()); return -(np.exp(lp)*lp).sum()
    // print(repr(H(z)), repr(H(z,0.7)), repr(H(z,2.0)), z[:3])"
    // → 9.93131607766712 9.572380808468777 10.62854022816631 [-9.59194629 -9.66904304  0.86311589]
    const z = lcgLogits(QWEN_VOCAB, 12345, -10, 10);
    expect(z[0]).toBeCloseTo(-9.59194629, 8);
    expect(z[2]).toBeCloseTo(0.86311589, 8);
    const cases: [number, number][] = [
      [1, 9.93131607766712],
      [0.7, 9.572380808468777],
      [2, 10.62854022816631],
    ];
    for (const [temperature, expected] of cases) {
      const h = tokenEntropy(z, { temperature });
      expect(Math.abs(h - expected) / expected).toBeLessThan(1e-6);
      // In practice it agrees to float64 rounding.
      expect(Math.abs(h - expected) / expected).toBeLessThan(1e-12);
    }
  });

  it('scales by temperature as softmax(z / T)', () => {
    const z = Array.from(lcgLogits(1000, 7, -5, 5));
    for (const t of [0.25, 0.7, 1.5, 3]) {
      expect(tokenEntropy(z, { temperature: t })).toBeCloseTo(tokenEntropy(z.map((v) => v / t)), 12);
    }
    // Higher T flattens the distribution: entropy rises towards ln V.
    const hs = [0.25, 0.5, 1, 2, 4, 1e6].map((temperature) => tokenEntropy(z, { temperature }));
    for (let i = 1; i < hs.length; i++) expect(hs[i]!).toBeGreaterThan(hs[i - 1]!);
    expect(hs[hs.length - 1]!).toBeCloseTo(Math.log(1000), 5);
  });

  it('treats -Infinity logits as masked tokens with probability 0', () => {
    expect(tokenEntropy([0, -Infinity, 0, -Infinity])).toBe(Math.log(2));
    expect(tokenEntropy([-Infinity, 5])).toBe(0);
  });

  it('throws naming the index for NaN or +Infinity, and when no logit is finite', () => {
    expect(() => tokenEntropy([0, 1, 2, NaN])).toThrow(ArpoError);
    expect(() => tokenEntropy([0, 1, 2, NaN])).toThrow('tokenEntropy: logits[3] = NaN');
    expect(() => tokenEntropy([NaN, 1])).toThrow('logits[0] = NaN');
    expect(() => tokenEntropy([0, Infinity, 1])).toThrow('logits[1] = Infinity');
    expect(() => tokenEntropy([-Infinity, -Infinity])).toThrow('no finite value');
    expect(() => tokenEntropy([])).toThrow('no finite value');
  });

  it('rejects a temperature that is not > 0, naming the value', () => {
    for (const temperature of [0, -1, NaN, Infinity]) {
      expect(() => tokenEntropy([1, 2], { temperature })).toThrow(ArpoConfigError);
      expect(() => tokenEntropy([1, 2], { temperature })).toThrow(`temperature = ${temperature}`);
    }
  });
});
