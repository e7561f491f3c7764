import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError, parseLossConfig, type LossConfigInput } from '@arpo/core';
import { aggregationWeights } from './aggregation.js';
import { CLIP_BRANCH_CODE, surrogateToken } from './clipped-surrogate.js';
import { entropyAwareAdvantages } from './entropy-advantage.js';
import { entropyBalancedToken } from './entropy-balanced-clipping.js';
import { POLICY_STATS, policyLoss, type PolicyLossInput } from './policy-loss.js';
import { policyLossTensor } from './policy-loss-tensor.js';
import { policyLosses, registerPolicyLoss } from './policy-losses.js';
import { PolicyOptimizer, type TfjsTrainablePolicy } from './policy-optimizer.js';
import { useWasm } from './testing/fixtures.js';
import { lossBatch } from './testing/loss-batch.js';
import { caught } from './testing/caught.js';

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** policyLossTensor on `x` (weights of `cfg`'s aggregation): the loss, the stats and dL/d log πθ, dL/dH. */
function onDevice(x: PolicyLossInput, input: LossConfigInput) {
  const cfg = parseLossConfig(input);
  const t = (a: ArrayLike<number>): tf.Tensor2D => tf.tensor2d(Float32Array.from(a), [...x.shape]);
  const w = t(aggregationWeights(x.mask, x.shape, cfg.aggregation));
  return tf.tidy(() => {
    const f = (lp: tf.Tensor, h: tf.Tensor): tf.Scalar =>
      policyLossTensor(
        { logprobs: lp, oldLogprobs: t(x.oldLogprobs), advantages: t(x.advantages), mask: t(x.mask), weights: w, refLogprobs: x.refLogprobs ? t(x.refLogprobs) : undefined, entropies: h },
        cfg,
      ).loss.add(tf.sum(tf.mul(h, 0))); // a path from H to the loss even when nothing reads H (tf.grads needs one)
    const h = t(x.entropies ?? new Float32Array(x.logprobs.length));
    const out = policyLossTensor(
      { logprobs: t(x.logprobs), oldLogprobs: t(x.oldLogprobs), advantages: t(x.advantages), mask: t(x.mask), weights: w, refLogprobs: x.refLogprobs ? t(x.refLogprobs) : undefined, entropies: x.entropies ? h : undefined },
      cfg,
    );
    const [dLogprobs, dEntropies] = tf.grads(f)([t(x.logprobs), h]);
    return {
      loss: out.loss.dataSync()[0]!,
      stats: Array.from(out.stats.dataSync()),
      dLogprobs: Array.from(dLogprobs!.dataSync()),
      dEntropies: Array.from(dEntropies!.dataSync()),
    };
  });
}

// ε_low = ε_high = 0.2, c = 3, token-mean over 4 tokens (w = 1/4); log π_old = 0, log πθ = ln ρ.
// ρ = [1.5, 1.1, 0.5, 4], A = [1, 1, −1, −1], H = [2, 0, 1.5, 0.5], a = 0.2:
//   mean H = 1, H − mean = [1, −1, 0.5, −0.5], std = √(2.5/3) = √(5/6)  →  z = [√1.2, −√1.2, √1.2/2, −√1.2/2]
//   Ã = A·(1 + 0.2·z) = [1 + 0.2√1.2, 1 − 0.2√1.2, −(1 + 0.1√1.2), −(1 − 0.1√1.2)]
//   L: k0 ρ > 1.2, Ã > 0 → high: −1.2·Ã0;   k1 inside → −1.1·Ã1;   k2 ρ < 0.8, Ã < 0 → low: −0.8·Ã2;
//      k3 ρ = 4 > c → dual: −3·Ã3
//   loss = (−1.2 − 0.24√1.2 − 1.1 + 0.22√1.2 + 0.8 + 0.08√1.2 + 3 − 0.3√1.2)/4 = (1.5 − 0.24√1.2)/4 = 0.375 − 0.06√1.2
//   without a: (−1.2 − 1.1 + 0.8 + 3)/4 = 0.375
//   dL/d log πθ (per token, × w = 1/4): dual-clip [0, −1.1·Ã1, 0, 0]; entropy-balanced [−1.2·Ã0, −1.1·Ã1, 0, 0]
const S = Math.sqrt(1.2);
const HAND: PolicyLossInput = {
  logprobs: [1.5, 1.1, 0.5, 4].map(Math.log),
  oldLogprobs: [0, 0, 0, 0],
  advantages: [1, 1, -1, -1],
  mask: [1, 1, 1, 1],
  shape: [1, 4],
  entropies: [2, 0, 1.5, 0.5],
};
const A_TILDE = [1 + 0.2 * S, 1 - 0.2 * S, -(1 + 0.1 * S), -(1 - 0.1 * S)];

describe('policy losses and the entropy-aware advantage by hand', () => {
  it.each(['dual-clip', 'entropy-balanced'])('%s: loss 0.375 − 0.06·√1.2 with a = 0.2, 0.375 without', (name) => {
    const r = policyLoss(HAND, { policyLoss: name, entropyAdvantageWeight: 0.2 });
    expect(r.loss).toBeCloseTo(0.375 - 0.06 * S, 14);
    A_TILDE.forEach((v, k) => expect(r.perToken.advantages![k]).toBeCloseTo(v, 14));
    expect(Array.from(r.perToken.branches)).toEqual([CLIP_BRANCH_CODE.high, CLIP_BRANCH_CODE.none, CLIP_BRANCH_CODE.low, CLIP_BRANCH_CODE.dual]);
    expect(r.metrics).toMatchObject({ clipFracHigh: 0.25, clipFracLow: 0.25, clipFracDual: 0.25, clipFrac: 0.5 });
    const off = policyLoss(HAND, { policyLoss: name });
    expect(off.loss).toBeCloseTo(0.375, 14);
    expect(off.perToken.advantages).toBeUndefined();
  });

  it('on device: the same loss, and the gradient of each policy loss (the clipped A > 0 token: −(1 + ε_high)·Ã·w vs 0)', () => {
    const w = 0.25;
    const expected = {
      'dual-clip': [0, -1.1 * A_TILDE[1]! * w, 0, 0],
      'entropy-balanced': [-1.2 * A_TILDE[0]! * w, -1.1 * A_TILDE[1]! * w, 0, 0],
    };
    for (const [name, grad] of Object.entries(expected)) {
      const got = onDevice(HAND, { policyLoss: name, entropyAdvantageWeight: 0.2 });
      expect(got.loss).toBeCloseTo(0.375 - 0.06 * S, 6);
      got.dLogprobs.forEach((g, k) => expect(g, `${name} token ${k}`).toBeCloseTo(grad[k]!, 6));
      expect(got.dEntropies).toEqual([0, 0, 0, 0]); // H is detached in Ã (and entropyCoef = 0)
    }
    expect(onDevice(HAND, { policyLoss: 'entropy-balanced' }).dLogprobs[0]).toBeCloseTo(-1.2 * 1 * w, 6); // a = 0: −(1 + ε_high)·A·w
  });
});

describe('tensor policy losses equal the float64 references', () => {
  const x = lossBatch(31);
  it.each([
    ['dual-clip', 0],
    ['dual-clip', 0.2],
    ['entropy-balanced', 0],
    ['entropy-balanced', 0.2],
  ] as const)('%s, entropyAdvantageWeight %s: loss and every stat (1e-6), two aggregations, KL and entropy bonus on', (name, a) => {
    for (const aggregation of ['token-mean', 'seq-mean-token-mean']) {
      const cfg = { policyLoss: name, entropyAdvantageWeight: a, aggregation, klCoef: 0.1, entropyCoef: 0.01 };
      const ref = policyLoss(x, cfg);
      const got = onDevice(x, cfg);
      expect(close(got.loss, ref.loss), `${aggregation}: ${got.loss} vs ${ref.loss}`).toBe(true);
      got.stats.forEach((v, i) => expect(close(v, ref.stats[i]!), `${aggregation} ${POLICY_STATS[i]}: ${v} vs ${ref.stats[i]}`).toBe(true));
      // dL/dH is the entropy bonus's −entropyCoef·w only: Ã takes H as a constant.
      const w = ref.perToken.weights;
      got.dEntropies.forEach((g, k) => expect(g).toBeCloseTo(-0.01 * w[k]!, 7));
    }
  });

  it('entropy-balanced has the forward value of dual-clip (loss, stats, per-token values)', () => {
    for (const a of [0, 0.2]) {
      const eb = policyLoss(x, { policyLoss: 'entropy-balanced', entropyAdvantageWeight: a, clipRatioHigh: 0.28 });
      const dc = policyLoss(x, { policyLoss: 'dual-clip', entropyAdvantageWeight: a, clipRatioHigh: 0.28 });
      expect(eb).toEqual(dc);
      const onEb = onDevice(x, { policyLoss: 'entropy-balanced', entropyAdvantageWeight: a });
      const onDc = onDevice(x, { policyLoss: 'dual-clip', entropyAdvantageWeight: a });
      expect(onEb.loss).toBe(onDc.loss);
      expect(onEb.stats).toEqual(onDc.stats);
    }
  });
});

describe('gradient w.r.t. log πθ against central finite differences of the float64 surrogate', () => {
  const x = lossBatch(41);
  const h = 1e-6;
  it.each([0, 0.2])('entropy-balanced with the stop-gradient held (sg(log πθ) fixed), entropyAdvantageWeight %s', (a) => {
    const cfg = parseLossConfig({ policyLoss: 'entropy-balanced', entropyAdvantageWeight: a });
    const w = aggregationWeights(x.mask, x.shape, cfg.aggregation);
    const adv = entropyAwareAdvantages(x.advantages, x.entropies, x.mask, a); // Ã: a constant of log πθ
    const got = onDevice(x, cfg).dLogprobs;
    let maxErr = 0;
    let differ = 0;
    x.logprobs.forEach((lp, k) => {
      const eb = (v: number): number => w[k]! * entropyBalancedToken(v, x.oldLogprobs[k]!, adv[k]!, cfg, lp).loss;
      const dc = (v: number): number => w[k]! * surrogateToken(v, x.oldLogprobs[k]!, adv[k]!, cfg).loss;
      const fdEb = (eb(lp + h) - eb(lp - h)) / (2 * h);
      const fdDc = (dc(lp + h) - dc(lp - h)) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fdEb - got[k]!));
      const rho = Math.exp(lp - x.oldLogprobs[k]!);
      if (w[k]! > 0 && adv[k]! > 0 && rho > 1.2) {
        // the clipped positive-advantage tokens: −(1 + ε_high)·Ã·w, where dual-clip has 0
        expect(got[k]).toBeCloseTo(-1.2 * adv[k]! * w[k]!, 6);
        expect(fdDc).toBeCloseTo(0, 9);
        differ++;
      } else {
        expect(Math.abs(fdEb - fdDc)).toBeLessThan(1e-8);
      }
    });
    expect(maxErr).toBeLessThan(1e-6);
    expect(differ).toBeGreaterThan(1);
  });
});

describe('the policy-loss registry', () => {
  it('lists the built-ins; a registered loss is used through loss.policyLoss (float64 and tensors)', () => {
    expect(policyLosses.names().slice(0, 2)).toEqual(['dual-clip', 'entropy-balanced']);
    // An unclipped policy gradient: L = −A·ρ, no branch.
    registerPolicyLoss('test-unclipped', {
      arrays: ({ logprobs, oldLogprobs, advantages }) => {
        const n = logprobs.length;
        const ratios = Float64Array.from({ length: n }, (_, k) => Math.exp(logprobs[k]! - oldLogprobs[k]!));
        return { losses: ratios.map((r, k) => -advantages[k]! * r), ratios, branches: new Uint8Array(n) };
      },
      tensors: ({ logprobs, oldLogprobs, advantages, mask }) => {
        const losses = tf.mul(tf.neg(advantages), tf.exp(tf.sub(logprobs, oldLogprobs)));
        const zero = tf.zerosLike(mask);
        return { losses, low: zero, high: zero, dual: zero };
      },
    });
    // HAND without a: (−1.5 − 1.1 + 0.5 + 4)/4 = 0.475, no clipping
    const r = policyLoss(HAND, { policyLoss: 'test-unclipped' });
    expect(r.loss).toBeCloseTo(0.475, 14);
    expect(r.metrics.clipFrac + r.metrics.clipFracDual).toBe(0);
    const got = onDevice(HAND, { policyLoss: 'test-unclipped' });
    expect(got.loss).toBeCloseTo(0.475, 6);
    [-1.5, -1.1, 0.5, 4].forEach((g, k) => expect(got.dLogprobs[k]).toBeCloseTo(g / 4, 6)); // −A·ρ·w
    expect(() => registerPolicyLoss('test-unclipped', policyLosses.get('dual-clip'))).toThrow(/pass \{ replace: true \}/);
  });

  it('an unknown name fails with an ArpoConfigError naming the field and the registered names', () => {
    const checks = [
      () => policyLoss(HAND, { policyLoss: 'ppo-typo' }),
      () => onDevice(HAND, { policyLoss: 'ppo-typo' }),
      () => new PolicyOptimizer({} as TfjsTrainablePolicy, { loss: { policyLoss: 'ppo-typo' } }), // before the policy is touched
    ];
    for (const check of checks) {
      const error = caught(check);
      expect(error).toBeInstanceOf(ArpoConfigError);
      expect((error as ArpoConfigError).field).toBe('arpo.loss.policyLoss');
      expect((error as ArpoConfigError).message).toMatch(/arpo\.loss\.policyLoss = "ppo-typo" \(expected one of the registered policy loss functions: dual-clip, entropy-balanced/);
    }
  });

  it('entropyAdvantageWeight > 0 needs entropies', () => {
    const { entropies: _, ...noH } = HAND;
    expect(() => policyLoss(noH, { entropyAdvantageWeight: 0.2 })).toThrow(/entropyAdvantageWeight = 0.2 needs entropies/);
    expect(() => onDevice(noH, { entropyAdvantageWeight: 0.2 })).toThrow(/entropyAdvantageWeight = 0.2 needs entropies/);
  });
});
