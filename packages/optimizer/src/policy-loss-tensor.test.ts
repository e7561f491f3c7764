import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOSS_AGGREGATIONS, KL_ESTIMATORS, parseLossConfig } from '@arpo/core';
import { aggregationScope, aggregationWeights } from './aggregation.js';
import { clippedSurrogate } from './clipped-surrogate.js';
import { clippedSurrogateTensor } from './clipped-surrogate-tensor.js';
import { klPenalty } from './kl-penalty.js';
import { klPenaltyTensor } from './kl-penalty-tensor.js';
import { POLICY_STATS, policyLoss } from './policy-loss.js';
import { policyLossTensor, sftLossTensor } from './policy-loss-tensor.js';
import { sftLoss } from './sft-loss.js';
import { useWasm } from './testing/fixtures.js';
import { LOSS_BATCH_SHAPE, lossBatch } from './testing/loss-batch.js';

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

const [B, L] = LOSS_BATCH_SHAPE;
const batch = (seed: number) => lossBatch(seed);

const t2 = (a: ArrayLike<number>): tf.Tensor2D => tf.tensor2d(Float32Array.from(a), [B, L]);
const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('tensor versions equal the float64 references (1e-6)', () => {
  it('clipped surrogate and branch indicators', () => {
    const x = batch(1);
    const clip = { clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3 };
    const ref = clippedSurrogate(x.logprobs, x.oldLogprobs, x.advantages, clip);
    const got = tf.tidy(() => {
      const s = clippedSurrogateTensor(t2(x.logprobs), t2(x.oldLogprobs), t2(x.advantages), clip);
      return [s.losses, s.low, s.high, s.dual].map((t) => Array.from(t.dataSync()));
    });
    got[0]!.forEach((v, k) => expect(close(v, ref.losses[k]!)).toBe(true));
    for (const [i, code] of [[1, 1], [2, 2], [3, 3]] as const) {
      expect(got[i]).toEqual(Array.from(ref.branches, (b) => (b === code ? 1 : 0)));
    }
    expect(new Set(ref.branches).size).toBe(4); // every branch is exercised
  });

  it('KL estimators k1, k2, k3', () => {
    const x = batch(2);
    for (const est of KL_ESTIMATORS) {
      const ref = klPenalty(x.logprobs, x.refLogprobs, est);
      const got = tf.tidy(() => Array.from(klPenaltyTensor(t2(x.logprobs), t2(x.refLogprobs), est).dataSync()));
      got.forEach((v, k) => expect(close(v, ref[k]!)).toBe(true));
    }
  });

  it('the full loss and every stat, in every aggregation mode and KL estimator', () => {
    const x = batch(3);
    for (const aggregation of LOSS_AGGREGATIONS) {
      for (const klEstimator of KL_ESTIMATORS) {
        const cfg = parseLossConfig({ aggregation, klEstimator, klCoef: 0.1, entropyCoef: 0.01 });
        const ref = policyLoss(x, cfg);
        const w = aggregationWeights(x.mask, x.shape, aggregation, aggregationScope(x.mask, x.shape));
        const [loss, stats] = tf.tidy(() => {
          const out = policyLossTensor(
            { logprobs: t2(x.logprobs), oldLogprobs: t2(x.oldLogprobs), advantages: t2(x.advantages), mask: t2(x.mask), weights: t2(w), refLogprobs: t2(x.refLogprobs), entropies: t2(x.entropies) },
            cfg,
          );
          return [out.loss.dataSync()[0]!, Array.from(out.stats.dataSync())] as const;
        });
        expect(close(loss, ref.loss), `${aggregation}/${klEstimator}: ${loss} vs ${ref.loss}`).toBe(true);
        stats.forEach((v, i) => expect(close(v, ref.stats[i]!), `${aggregation}/${klEstimator} ${POLICY_STATS[i]}: ${v} vs ${ref.stats[i]}`).toBe(true));
      }
    }
  });

  it('SFT loss', () => {
    const x = batch(4);
    const ref = sftLoss(x);
    const w = aggregationWeights(x.mask, x.shape, 'token-mean');
    const got = tf.tidy(() => sftLossTensor(t2(x.logprobs), t2(w)).dataSync()[0]!);
    expect(close(got, ref.loss)).toBe(true);
  });
});

describe('gradient w.r.t. log πθ against central finite differences of the float64 loss', () => {
  it.each(LOSS_AGGREGATIONS)('%s (KL k3 × 0.1, clip-higher 0.28)', (aggregation) => {
    const x = batch(5);
    const cfg = parseLossConfig({ aggregation, klCoef: 0.1, klEstimator: 'k3', clipRatioHigh: 0.28 });
    const w = aggregationWeights(x.mask, x.shape, aggregation);
    const grad = tf.tidy(() => {
      const g = tf.grad((lp: tf.Tensor) =>
        policyLossTensor({ logprobs: lp, oldLogprobs: t2(x.oldLogprobs), advantages: t2(x.advantages), mask: t2(x.mask), weights: t2(w), refLogprobs: t2(x.refLogprobs) }, cfg).loss,
      );
      return Array.from(g(t2(x.logprobs)).dataSync());
    });
    const h = 1e-6;
    let maxErr = 0;
    let nonZero = 0;
    for (let k = 0; k < B * L; k++) {
      const plus = x.logprobs.slice();
      const minus = x.logprobs.slice();
      plus[k]! += h;
      minus[k]! -= h;
      const fd = (policyLoss({ ...x, logprobs: plus }, cfg).loss - policyLoss({ ...x, logprobs: minus }, cfg).loss) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fd - grad[k]!));
      if (Math.abs(fd) > 1e-4) nonZero++;
    }
    expect(maxErr).toBeLessThan(1e-6);
    expect(nonZero).toBeGreaterThan(5); // some tokens carry gradient, clipped ones do not
  });
});
