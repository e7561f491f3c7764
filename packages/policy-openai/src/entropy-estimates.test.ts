import { describe, expect, it } from 'vitest';
import { withEntropyEstimates } from './entropy-estimates.js';
import { OpenAIServerError } from './server-error.js';

// Top 2 of V = 4: p = (1/2, 1/4), missing mass q = 1/4 over m = 2 tokens, each <= p_min = 1/4.
const top = [[{ token: 0, logprob: Math.log(0.5) }, { token: 1, logprob: Math.log(0.25) }]];
const K = 0.5 * Math.log(2) + 0.25 * Math.log(4); // ln 2

describe('withEntropyEstimates', () => {
  it('truncated top-k entropy (with the sampled token) and the sharp bounds of @arpo/entropy', () => {
    const gen = { tokens: [3], logprobs: [Math.log(0.125)], topLogprobs: top, finishReason: 'length' as const };
    const out = withEntropyEstimates(gen, top, 4, 'none', 'http://s');
    // The sampled token 3 (p = 1/8) is not in the top 2: the reference sums over k + 1 = 3 candidates.
    expect(out.topKEntropies![0]).toBeCloseTo(K + 0.125 * Math.log(8), 12);
    // Upper: q spread evenly, K + q ln(m/q) = ln 2 + (1/4) ln 8. Lower: q on one token, K + h(1/4).
    expect(out.entropyBounds![0]!.upper).toBeCloseTo(Math.log(2) + 0.25 * Math.log(8), 12);
    expect(out.entropyBounds![0]!.lower).toBeCloseTo(Math.log(2) + 0.25 * Math.log(4), 12);
    expect(out.entropies).toBeUndefined();
  });

  it('fills entropies with the chosen estimate when asked', () => {
    const gen = { tokens: [0], logprobs: [Math.log(0.5)], finishReason: 'length' as const };
    const lower = Math.log(2) + 0.25 * Math.log(4);
    const upper = Math.log(2) + 0.25 * Math.log(8);
    expect(withEntropyEstimates(gen, top, 4, 'lower', 'u').entropies![0]).toBeCloseTo(lower, 12);
    expect(withEntropyEstimates(gen, top, 4, 'upper', 'u').entropies![0]).toBeCloseTo(upper, 12);
    expect(withEntropyEstimates(gen, top, 4, 'midpoint', 'u').entropies![0]).toBeCloseTo((lower + upper) / 2, 12);
    // Entropies the server sent win over the estimate.
    expect(withEntropyEstimates({ ...gen, entropies: [0.9] }, top, 4, 'upper', 'u').entropies).toEqual([0.9]);
  });

  it('top log-probs whose mass exceeds 1 are an error naming the server and position', () => {
    const bad = [[{ token: 0, logprob: Math.log(0.7) }, { token: 1, logprob: Math.log(0.6) }]];
    expect(() => withEntropyEstimates({ tokens: [0], logprobs: [Math.log(0.7)], finishReason: 'length' }, bad, 4, 'none', 'http://s:1')).toThrow(OpenAIServerError);
    expect(() => withEntropyEstimates({ tokens: [0], logprobs: [Math.log(0.7)], finishReason: 'length' }, bad, 4, 'none', 'http://s:1')).toThrow(/^http:\/\/s:1: top log-probs of position 0/);
  });
});
