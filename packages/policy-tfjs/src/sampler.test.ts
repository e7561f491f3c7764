import { createRng } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { sampleLogits, topIndices } from './sampler.js';

const logits = Float32Array.from([1.5, -0.5, 2.0, 0.0, 2.0, -3.0]);
const logSumExp = (z: ArrayLike<number>, t = 1): number => {
  const m = Math.max(...Array.from(z, (v) => v / t));
  return m + Math.log(Array.from(z).reduce((a, v) => a + Math.exp(v / t - m), 0));
};

describe('topIndices', () => {
  it('returns the k largest, largest first, ties by lower index', () => {
    expect(topIndices(logits, 3)).toEqual([2, 4, 0]);
    expect(topIndices(logits, 10)).toEqual([2, 4, 0, 3, 1, 5]);
    const rng = createRng(1);
    const big = Float32Array.from({ length: 5000 }, () => Math.round(rng.normal() * 20) / 4);
    const sorted = Array.from(big.keys()).sort((a, b) => big[b]! - big[a]! || a - b);
    expect(topIndices(big, 37)).toEqual(sorted.slice(0, 37));
  });
});

describe('sampleLogits', () => {
  it('greedy picks the first argmax and reports ln softmax(z)[token]', () => {
    const s = sampleLogits(logits, { temperature: 0, topP: 1, topK: 0 }, createRng(1), 2);
    expect(s.token).toBe(2);
    expect(s.logprob).toBeCloseTo(2 - logSumExp(logits), 12);
    expect(s.top).toEqual([
      { token: 2, logprob: s.logprob },
      { token: 4, logprob: s.logprob },
    ]);
  });

  it('samples softmax(z / T): empirical frequencies within 0.01 over 40k draws', () => {
    const rng = createRng(7);
    const counts = new Array(6).fill(0);
    const n = 40000;
    for (let i = 0; i < n; i++) counts[sampleLogits(logits, { temperature: 0.8, topP: 1, topK: 0 }, rng).token]++;
    const lz = logSumExp(logits, 0.8);
    counts.forEach((c, j) => expect(Math.abs(c / n - Math.exp(logits[j]! / 0.8 - lz))).toBeLessThan(0.01));
  });

  it('top-k keeps the k most likely; top-p keeps the smallest prefix reaching p; logprob stays untruncated', () => {
    const rng = createRng(3);
    const seenK = new Set<number>();
    const seenP = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      seenK.add(sampleLogits(logits, { temperature: 1, topP: 1, topK: 3 }, rng).token);
      seenP.add(sampleLogits(logits, { temperature: 1, topP: 0.6, topK: 0 }, rng).token);
    }
    expect([...seenK].sort()).toEqual([0, 2, 4]);
    // p = softmax: tokens 2 and 4 have 0.347 each: 0.347 < 0.6 <= 0.694, so exactly {2, 4}
    expect([...seenP].sort()).toEqual([2, 4]);
    const s = sampleLogits(logits, { temperature: 1, topP: 0.6, topK: 2 }, rng);
    expect(s.logprob).toBeCloseTo(logits[s.token]! - logSumExp(logits), 12);
  });

  it('is deterministic for a given RNG state and rejects NaN logits', () => {
    const draw = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => sampleLogits(logits, { temperature: 1, topP: 0.95, topK: 4 }, rng).token);
    };
    expect(draw(5)).toEqual(draw(5));
    expect(() => sampleLogits(Float32Array.from([0, NaN]), { temperature: 1, topP: 1, topK: 0 }, createRng(1))).toThrow(/token 1 = NaN/);
  });
});
