import { describe, expect, it } from 'vitest';
import { aggregate, aggregationScope, aggregationWeights, lossAggregations, maskedMean, registerLossAggregation } from './aggregation.js';

// values [[1, 2, 3], [4, 5, 6]], mask [[1, 1, 0], [1, 0, 0]]: row sums 3 and 4, n = [2, 1], T = 3, B = 2.
// numpy: v=np.array([[1,2,3],[4,5,6.]]); m=np.array([[1,1,0],[1,0,0.]])
//   token-mean               (v*m).sum()/m.sum()                      = 7/3
//   seq-mean-token-sum       (v*m).sum(1).mean()                      = 3.5
//   seq-mean-token-mean      ((v*m).sum(1)/m.sum(1)).mean()           = (1.5 + 4)/2 = 2.75
//   seq-mean-token-sum-norm  (v*m).sum(1).mean()/N, N = L = 3         = 7/6
const V = [1, 2, 3, 4, 5, 6];
const M = [1, 1, 0, 1, 0, 0];
const SHAPE = [2, 3] as const;

describe('aggregate: the four modes by hand', () => {
  it('token-mean', () => expect(aggregate(V, M, SHAPE, 'token-mean')).toBeCloseTo(7 / 3, 14));
  it('seq-mean-token-sum', () => expect(aggregate(V, M, SHAPE, 'seq-mean-token-sum')).toBeCloseTo(3.5, 14));
  it('seq-mean-token-mean', () => expect(aggregate(V, M, SHAPE, 'seq-mean-token-mean')).toBeCloseTo(2.75, 14));
  it('seq-mean-token-sum-norm (Dr. GRPO) with N = L and with a set normalizer', () => {
    expect(aggregate(V, M, SHAPE, 'seq-mean-token-sum-norm')).toBeCloseTo(7 / 6, 14);
    // N = 4: 7 / (2·4) = 0.875
    expect(aggregate(V, M, SHAPE, 'seq-mean-token-sum-norm', aggregationScope(M, SHAPE, 4))).toBeCloseTo(0.875, 14);
  });

  it('a sequence without trained tokens contributes 0 but counts in B', () => {
    // mask [[1, 1, 0], [0, 0, 0]]: token-mean 3/2; seq-sum 3/2; seq-mean (1.5 + 0)/2 = 0.75; norm 3/(2·3) = 0.5
    const m = [1, 1, 0, 0, 0, 0];
    expect(aggregate(V, m, SHAPE, 'token-mean')).toBeCloseTo(1.5, 14);
    expect(aggregate(V, m, SHAPE, 'seq-mean-token-sum')).toBeCloseTo(1.5, 14);
    expect(aggregate(V, m, SHAPE, 'seq-mean-token-mean')).toBeCloseTo(0.75, 14);
    expect(aggregate(V, m, SHAPE, 'seq-mean-token-sum-norm')).toBeCloseTo(0.5, 14);
    expect(aggregate(V, [0, 0, 0, 0, 0, 0], SHAPE, 'token-mean')).toBe(0);
  });

  it('padding values never matter (NaN under mask 0 is skipped)', () => {
    expect(aggregate([1, 2, NaN, 4, NaN, NaN], M, SHAPE, 'token-mean')).toBeCloseTo(7 / 3, 14);
  });

  it('weights with the scope of a whole batch make micro-batch losses add up exactly, in every mode', () => {
    const scope = aggregationScope(M, SHAPE);
    for (const mode of ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
      const whole = aggregate(V, M, SHAPE, mode);
      const parts = aggregate(V.slice(0, 3), M.slice(0, 3), [1, 3], mode, scope) + aggregate(V.slice(3), M.slice(3), [1, 3], mode, scope);
      expect(parts).toBeCloseTo(whole, 14);
    }
  });

  it('weights by hand', () => {
    expect(Array.from(aggregationWeights(M, SHAPE, 'seq-mean-token-mean'))).toEqual([0.25, 0.25, 0, 0.5, 0, 0]);
    expect(Array.from(aggregationWeights(M, SHAPE, 'token-mean'))).toEqual([1 / 3, 1 / 3, 0, 1 / 3, 0, 0]);
  });

  it('maskedMean and validation', () => {
    expect(maskedMean(V, M)).toBeCloseTo(7 / 3, 14);
    expect(() => aggregate(V, [1, 2, 0, 0, 0, 0], SHAPE, 'token-mean')).toThrow(/mask\[1\] = 2 \(expected 0 or 1\)/);
    expect(() => aggregate(V, M, [2, 2], 'token-mean')).toThrow(/values has 6 entries \(expected 4\)/);
  });
});

describe('registered loss aggregations', () => {
  it('a registered rule is used by name (sequence sum ÷ √n_i, mean over B) and unknown names list the registry', () => {
    registerLossAggregation('seq-mean-token-sqrt-test', (n, { sequences: B }) => (n > 0 ? 1 / (B * Math.sqrt(n)) : 0));
    // rows: (1 + 2)/√2 and 4/√1, mean over B = 2: (3/√2 + 4)/2
    expect(aggregate(V, M, SHAPE, 'seq-mean-token-sqrt-test')).toBeCloseTo((3 / Math.SQRT2 + 4) / 2, 14);
    expect(lossAggregations.names().slice(0, 4)).toEqual(['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm']);
    expect(() => aggregate(V, M, SHAPE, 'token-sum')).toThrow(
      'Invalid loss aggregation config: arpo.loss.aggregation = "token-sum" (expected one of the registered loss aggregations: token-mean, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm, seq-mean-token-sqrt-test',
    );
    registerLossAggregation('nan-test', () => Number.NaN);
    expect(() => aggregate(V, M, SHAPE, 'nan-test')).toThrow("loss aggregation 'nan-test' gave weight NaN for a sequence of 2 trained tokens (expected a finite number)");
  });
});
