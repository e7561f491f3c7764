import { ArpoConfigError, ArpoError, parseRolloutConfig } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { segmentEntropy, segmentEntropyOptions } from './segment-entropy.js';
import { topKEntropies, withSampledToken } from './top-k-entropy.js';

describe('segmentEntropy', () => {
  it('reproduces the reference form on a hand-computed example: Σ of top-k terms over ≤ k positions ÷ ln V', () => {
    // V = 1000, k = 2. Position 0: candidates 0.5, 0.25 (sampled token 0.5 is among them).
    // Position 1: top 0.9, 0.05; the sampled token (p = 0.01) is not among them, so it is appended (k + 1 values).
    // Position 2 lies outside the window.
    // python3 -c "import numpy as np; lp=np.log([.5,.25]); lq=np.log([.9,.05,.01]); print(repr((-(np.exp(lp)*lp).sum() - (np.exp(lq)*lq).sum())/np.log(1000)))"
    // → 0.1424210789839293  (= (ln 2 + 0.9·ln(10/9) + 0.05·ln 20 + 0.01·ln 100) / ln 1000)
    const tok = (token: number, p: number) => ({ token, logprob: Math.log(p) });
    const positions = [
      withSampledToken([tok(1, 0.5), tok(2, 0.25)], tok(1, 0.5)),
      withSampledToken([tok(3, 0.9), tok(4, 0.05)], tok(77, 0.01)),
      withSampledToken([tok(5, 0.2), tok(6, 0.2)], tok(5, 0.2)),
    ];
    expect(positions.map((c) => c.length)).toEqual([2, 3, 2]);
    const h = segmentEntropy(topKEntropies(positions), { window: 2, vocabSize: 1000 });
    expect(h).toBeCloseTo(0.1424210789839293, 15);
    // The same with every option spelled out (the reference defaults).
    expect(segmentEntropy(topKEntropies(positions), { window: 2, aggregate: 'sum', normalize: 'ln-vocab', vocabSize: 1000 })).toBe(h);
  });

  it('aggregates by sum or mean and normalises by ln V, V or nothing', () => {
    const hs = [1, 2, 3, 4];
    expect(segmentEntropy(hs, { window: 3, normalize: 'none' })).toBe(6);
    expect(segmentEntropy(hs, { window: 3, aggregate: 'mean', normalize: 'none' })).toBe(2);
    expect(segmentEntropy(hs, { window: 10, aggregate: 'mean', normalize: 'none' })).toBe(2.5);
    expect(segmentEntropy(hs, { window: 3, normalize: 'vocab', vocabSize: 4 })).toBe(1.5);
    expect(segmentEntropy(hs, { window: 3, normalize: 'ln-vocab', vocabSize: 4 })).toBe(6 / Math.log(4));
    // Default window k = 20.
    expect(segmentEntropy(new Array<number>(30).fill(1), { normalize: 'none' })).toBe(20);
    expect(segmentEntropy(new Float64Array([0.5, 0.5]), { normalize: 'none' })).toBe(1);
  });

  it('returns 0 for an empty segment', () => {
    expect(segmentEntropy([], { vocabSize: 1000 })).toBe(0);
    expect(segmentEntropy([], { aggregate: 'mean', normalize: 'none' })).toBe(0);
  });

  it('throws naming the position for a non-finite entropy inside the window', () => {
    expect(() => segmentEntropy([0.1, 0.2, NaN], { vocabSize: 10 })).toThrow(ArpoError);
    expect(() => segmentEntropy([0.1, 0.2, NaN], { vocabSize: 10 })).toThrow('segmentEntropy: perPosition[2] = NaN');
    expect(() => segmentEntropy([Infinity], { normalize: 'none' })).toThrow('perPosition[0] = Infinity');
    // Outside the window it is never read.
    expect(segmentEntropy([0.1, NaN], { window: 1, normalize: 'none' })).toBe(0.1);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => segmentEntropy([1])).toThrow(ArpoConfigError);
    expect(() => segmentEntropy([1])).toThrow('vocabSize = undefined');
    expect(() => segmentEntropy([1], { vocabSize: 1 })).toThrow('vocabSize = 1 (expected an integer >= 2)');
    expect(() => segmentEntropy([1], { window: 0, normalize: 'none' })).toThrow('window = 0');
    expect(() => segmentEntropy([1], { aggregate: 'max' as 'sum', normalize: 'none' })).toThrow(`aggregate = "max" (expected 'sum' | 'mean')`);
  });

  it('segmentEntropyOptions reads k, aggregation and normalisation from a RolloutConfig', () => {
    expect(segmentEntropyOptions(parseRolloutConfig(), 152064)).toEqual({
      window: 20,
      aggregate: 'sum',
      normalize: 'ln-vocab',
      vocabSize: 152064,
    });
    const paperish = parseRolloutConfig({ entropyWindow: 8, entropyAggregation: 'mean', entropyNormalization: 'none' });
    expect(segmentEntropy([1, 2, 3], segmentEntropyOptions(paperish, 10))).toBe(2);
  });
});
