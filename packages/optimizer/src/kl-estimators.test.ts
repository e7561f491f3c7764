import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { klEstimators, registerKlEstimator } from './kl-estimators.js';
import { klPenalty, klToken } from './kl-penalty.js';
import { klPenaltyTensor } from './kl-penalty-tensor.js';
import { policyLoss } from './policy-loss.js';
import { PolicyOptimizer, type TfjsTrainablePolicy } from './policy-optimizer.js';
import { useWasm } from './testing/fixtures.js';
import { caught } from './testing/caught.js';

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('the KL-estimator registry', () => {
  it('has k1, k2, k3 built in; a registered estimator is used through loss.klEstimator (float64 and tensors)', () => {
    expect(klEstimators.names().slice(0, 3)).toEqual(['k1', 'k2', 'k3']);
    // |d|, d = log πθ − log π_ref (verl's `abs`)
    registerKlEstimator('test-abs', { token: (lp, ref) => Math.abs(lp - ref), tensor: (lp, ref) => tf.abs(tf.sub(lp, ref)) });
    expect(klToken(-1, -1.5, 'test-abs')).toBe(0.5);
    expect(Array.from(klPenalty([-1, -2], [-1.5, -1], 'test-abs'))).toEqual([0.5, 1]);
    expect(Array.from(tf.tidy(() => klPenaltyTensor(tf.tensor1d([-1, -2]), tf.tensor1d([-1.5, -1]), 'test-abs').dataSync()))).toEqual([0.5, 1]);
    // In the loss: logp = ln ρ with ρ = [1, 1] on-policy (L_pg = −A = [−1, −1]), ref = [−0.5, 0.25]: |d| = [0.5, 0.25]
    // token-mean: −1 + 0.1·(0.5 + 0.25)/2 = −0.9625
    const r = policyLoss(
      { logprobs: [0, 0], oldLogprobs: [0, 0], advantages: [1, 1], mask: [1, 1], shape: [1, 2], refLogprobs: [-0.5, 0.25] },
      { klEstimator: 'test-abs', klCoef: 0.1 },
    );
    expect(r.loss).toBeCloseTo(-0.9625, 14);
    expect(r.metrics.kl).toBeCloseTo(0.375, 14);
  });

  it('an unknown name fails with an ArpoConfigError naming the field and the registered names', () => {
    const checks = [
      () => klToken(0, 0, 'k4'),
      () => klPenaltyTensor(tf.zeros([1]), tf.zeros([1]), 'k4'),
      () => new PolicyOptimizer({} as TfjsTrainablePolicy, { loss: { klEstimator: 'k4' } }),
    ];
    for (const check of checks) {
      const error = caught(check);
      expect(error).toBeInstanceOf(ArpoConfigError);
      expect((error as ArpoConfigError).field).toBe('arpo.loss.klEstimator');
      expect((error as ArpoConfigError).message).toMatch(/arpo\.loss\.klEstimator = "k4" \(expected one of the registered KL estimators: k1, k2, k3/);
    }
  });
});
