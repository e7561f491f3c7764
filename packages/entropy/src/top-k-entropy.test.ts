import { ArpoError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { topKEntropies, topKEntropy, withSampledToken } from './top-k-entropy.js';

describe('topKEntropy', () => {
  it('is −Σ exp(lp)·lp over the given candidates only', () => {
    // 0.5·ln 2 + 0.25·ln 4 = ln 2
    expect(topKEntropy([Math.log(0.5), Math.log(0.25)])).toBeCloseTo(Math.log(2), 15);
    expect(
      topKEntropy([
        { token: 11, logprob: Math.log(0.5) },
        { token: 12, logprob: Math.log(0.25) },
      ]),
    ).toBeCloseTo(Math.log(2), 15);
    expect(topKEntropy([])).toBe(0);
    expect(topKEntropy([0])).toBe(0);
  });

  it('gives -Infinity log-probs a 0 term and rejects NaN / +Infinity naming the index', () => {
    expect(topKEntropy([Math.log(0.5), -Infinity])).toBeCloseTo(0.5 * Math.log(2), 15);
    expect(() => topKEntropy([-1, NaN])).toThrow(ArpoError);
    expect(() => topKEntropy([-1, NaN])).toThrow('topLogprobs[1] = NaN');
    expect(() => topKEntropy([{ token: 1, logprob: Infinity }])).toThrow('topLogprobs[0] = Infinity');
  });

  it('topKEntropies maps positions and names the bad position', () => {
    expect(topKEntropies([[Math.log(0.5), Math.log(0.25)], [], [0]])).toEqual([topKEntropy([Math.log(0.5), Math.log(0.25)]), 0, 0]);
    expect(() => topKEntropies([[-1], [-2, NaN]])).toThrow('topKEntropies: position 1: topKEntropy: topLogprobs[1] = NaN');
  });
});

describe('withSampledToken', () => {
  const top = [
    { token: 5, logprob: -0.1 },
    { token: 9, logprob: -2.5 },
  ];

  it('appends the sampled token when it is not among the candidates (k + 1 values)', () => {
    const sampled = { token: 42, logprob: -6 };
    expect(withSampledToken(top, sampled)).toEqual([...top, sampled]);
    expect(top).toHaveLength(2); // input untouched
  });

  it('leaves the candidates as they are when the sampled token is already one of them', () => {
    expect(withSampledToken(top, { token: 9, logprob: -2.5 })).toBe(top);
  });
});
