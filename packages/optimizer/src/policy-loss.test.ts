import { describe, expect, it } from 'vitest';
import { CLIP_BRANCH_CODE } from './clipped-surrogate.js';
import { policyLoss } from './policy-loss.js';
import { sftLoss } from './sft-loss.js';

// Two sequences of three tokens; log π_old = 0 and log πθ = ln ρ (exact ρ), reference constants.
// row 0: ρ = [1.1, 1.5, 0.5], A = [1, 2, 1],       mask [1, 1, 1]
// row 1: ρ = [0.5, 4, 9],     A = [−1, −0.5, 5],   mask [1, 1, 0]
// per-token L (see clipped-surrogate.test.ts): [−1.1, −2.4 (high), −0.5, 0.8 (low), 1.5 (dual), −6 (high, masked)]
// token-mean over the 5 trained tokens: (−1.1 − 2.4 − 0.5 + 0.8 + 1.5)/5 = −1.7/5 = −0.34
// clip fractions over 5 tokens: low 1/5, high 1/5 (the masked one does not count), dual 1/5
// approxKl = mean(log π_old − log πθ) = −ln(1.1·1.5·0.5·0.5·4)/5 = −ln(1.65)/5
const RHO = [1.1, 1.5, 0.5, 0.5, 4, 9];
const INPUT = {
  logprobs: RHO.map(Math.log),
  oldLogprobs: [0, 0, 0, 0, 0, 0],
  advantages: [1, 2, 1, -1, -0.5, 5],
  mask: [1, 1, 1, 1, 1, 0],
  shape: [2, 3] as const,
};

describe('policyLoss (float64 reference) by hand', () => {
  it('token-mean of the clipped surrogate, clip fractions and approx KL', () => {
    const r = policyLoss(INPUT);
    expect(r.loss).toBeCloseTo(-0.34, 14);
    expect(r.pgLoss).toBeCloseTo(-0.34, 14);
    expect(r.metrics.clipFracLow).toBeCloseTo(0.2, 14);
    expect(r.metrics.clipFracHigh).toBeCloseTo(0.2, 14);
    expect(r.metrics.clipFracDual).toBeCloseTo(0.2, 14);
    expect(r.metrics.clipFrac).toBeCloseTo(0.4, 14);
    expect(r.metrics.approxKl).toBeCloseTo(-Math.log(1.65) / 5, 14);
    expect(r.metrics.tokens).toBe(5);
    expect(Array.from(r.perToken.branches)).toEqual([0, 2, 0, 1, 3, 2].map((c) => c as (typeof CLIP_BRANCH_CODE)[keyof typeof CLIP_BRANCH_CODE]));
    expect(r.klLoss).toBeUndefined();
  });

  it('seq-mean-token-mean: ((−1.1 − 2.4 − 0.5)/3 + (0.8 + 1.5)/2)/2 = (−4/3 + 1.15)/2', () => {
    expect(policyLoss(INPUT, { aggregation: 'seq-mean-token-mean' }).loss).toBeCloseTo((-4 / 3 + 1.15) / 2, 14);
  });

  it('KL term (k1, coef 0.5, π_ref with log π_ref = 0) and entropy bonus (coef 0.1)', () => {
    // k1 = log πθ − 0 = ln ρ: token-mean ln(1.65)/5; loss = −0.34 + 0.5·ln(1.65)/5
    const kl = policyLoss({ ...INPUT, refLogprobs: [0, 0, 0, 0, 0, 0] }, { klCoef: 0.5, klEstimator: 'k1' });
    expect(kl.klLoss).toBeCloseTo(Math.log(1.65) / 5, 14);
    expect(kl.metrics.kl).toBeCloseTo(Math.log(1.65) / 5, 14);
    expect(kl.loss).toBeCloseTo(-0.34 + (0.5 * Math.log(1.65)) / 5, 14);
    // H = [1..6]: token-mean (1+2+3+4+5)/5 = 3; loss = −0.34 − 0.1·3 = −0.64
    const ent = policyLoss({ ...INPUT, entropies: [1, 2, 3, 4, 5, 6] }, { entropyCoef: 0.1 });
    expect(ent.entropyLoss).toBeCloseTo(3, 14);
    expect(ent.metrics.entropy).toBeCloseTo(3, 14);
    expect(ent.loss).toBeCloseTo(-0.64, 14);
  });

  it('demands reference log-probs / entropies when their coefficient is set', () => {
    expect(() => policyLoss(INPUT, { klCoef: 0.1 })).toThrow(/klCoef = 0.1 needs refLogprobs/);
    expect(() => policyLoss(INPUT, { entropyCoef: 0.1 })).toThrow(/entropyCoef = 0.1 needs entropies/);
    expect(() => policyLoss({ ...INPUT, mask: [1, 1] })).toThrow(/mask has 2 entries \(expected 6\)/);
  });
});

describe('sftLoss by hand', () => {
  it('masked mean negative log-likelihood; tool-result tokens (mask 0) excluded', () => {
    // logp [[−1, −2, −9], [−3, −9, 0]], mask [[1, 1, 0], [1, 0, 0]] → (1 + 2 + 3)/3 = 2
    const r = sftLoss({ logprobs: [-1, -2, -9, -3, -9, 0], mask: [1, 1, 0, 1, 0, 0], shape: [2, 3] });
    expect(r.loss).toBeCloseTo(2, 14);
    expect(r.tokens).toBe(3);
    // seq-mean-token-mean: (1.5 + 3)/2 = 2.25
    expect(sftLoss({ logprobs: [-1, -2, -9, -3, -9, 0], mask: [1, 1, 0, 1, 0, 0], shape: [2, 3] }, { aggregation: 'seq-mean-token-mean' }).loss).toBeCloseTo(2.25, 14);
  });
});
