import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { useWasm } from './testing/fixtures.js';

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

const CFG = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };

/** torch.optim.AdamW in float64, for comparison. */
function reference(theta: number[], grads: number[][], lr: number, c = CFG): number[] {
  const th = theta.slice();
  const m = th.map(() => 0);
  const v = th.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < th.length; i++) {
      th[i]! *= 1 - lr * c.weightDecay;
      m[i] = c.beta1 * m[i]! + (1 - c.beta1) * g[i]!;
      v[i] = c.beta2 * v[i]! + (1 - c.beta2) * g[i]! ** 2;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - c.beta2 ** t) + c.epsilon;
      th[i]! -= (lr / (1 - c.beta1 ** t)) * (m[i]! / denom);
    }
  });
  return th;
}

describe('AdamW', () => {
  it('first step by hand: θ(1 − lr·λ) − lr·g/(|g| + ε)', () => {
    // θ = [1, −2, 0.5], g = [0.1, −0.3, 0], lr 0.01, λ 0.1:
    // decay → [0.999, −1.998, 0.4995]; m̂ = g, v̂ = g² → step lr·g/(|g|+ε) ≈ [0.01, −0.01, 0]
    // → [0.989, −1.988, 0.4995]
    const x = tf.variable(tf.tensor1d([1, -2, 0.5]));
    const opt = new AdamW([x], CFG);
    const g = tf.tensor1d([0.1, -0.3, 0]);
    opt.apply([g], 0.01);
    const got = Array.from(x.dataSync());
    [0.989, -1.988, 0.4995].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    expect(opt.step).toBe(1);
    tf.dispose([x, g]);
    opt.dispose();
  });

  it('matches a float64 torch-AdamW reference over 5 steps, with a gradient scale (clip factor)', () => {
    const theta = [0.3, -1.2, 2, 0.01];
    const grads = [[0.5, -0.2, 0.1, 0], [0.4, 0.3, -0.2, 0.1], [-0.1, 0.2, 0.3, -0.5], [1, -1, 0.5, 0.2], [0.05, 0.02, -0.3, 0.4]];
    const x = tf.variable(tf.tensor1d(theta));
    const opt = new AdamW([x], CFG);
    for (const g of grads) {
      const t = tf.tensor1d(g.map((v) => v * 2));
      opt.apply([t], 0.05, 0.5); // scale 0.5 undoes the ×2
      t.dispose();
    }
    const ref = reference(theta, grads, 0.05);
    Array.from(x.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 6));
    x.dispose();
    opt.dispose();
  });

  it('a missing gradient decays the weights only; snapshot / restore puts weights and moments back', () => {
    const x = tf.variable(tf.tensor1d([2, -4]));
    const opt = new AdamW([x], CFG);
    opt.apply([undefined], 0.1); // θ·(1 − 0.01)
    expect(Array.from(x.dataSync())).toEqual([Math.fround(1.98), Math.fround(-3.96)]);
    const snap = opt.snapshot();
    const g = tf.tensor1d([1, 1]);
    opt.apply([g], 0.1);
    opt.restore(snap);
    AdamW.disposeSnapshot(snap);
    expect(opt.step).toBe(1);
    expect(Array.from(x.dataSync())).toEqual([Math.fround(1.98), Math.fround(-3.96)]);
    const n = tf.memory().numTensors;
    opt.apply([g], 0.1);
    expect(tf.memory().numTensors).toBe(n);
    tf.dispose([x, g]);
    opt.dispose();
  });
});

describe('AdamW state export', () => {
  it('a restored optimizer takes exactly the same next step', async () => {
    const mk = () => [tf.variable(tf.tensor1d([1, -2, 3])), tf.variable(tf.tensor2d([[0.5, 0.25]]))];
    const grads = [tf.tensor1d([0.1, -0.3, 0.2]), tf.tensor2d([[1, -1]])];
    const va = mk();
    const a = new AdamW(va, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
    a.apply(grads, 0.01);
    a.apply(grads, 0.01);
    const state = a.exportState();
    const vb = va.map((x) => tf.variable(x.clone()));
    const b = new AdamW(vb, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
    b.importState(state);
    expect(b.step).toBe(2);
    a.apply(grads, 0.01);
    b.apply(grads, 0.01);
    va.forEach((x, i) => expect(Array.from(vb[i]!.dataSync())).toEqual(Array.from(x.dataSync())));
    expect(() => b.importState({ step: 1, m: [state.m[0]!], v: [state.v[0]!] })).toThrow(/1 moments \(expected 2/);
  });
});
