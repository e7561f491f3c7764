import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { headLogprobEntropy } from './custom-ops.js';
import { matMulFast } from './fast-matmul.js';
import { gatherRows } from './gather-rows.js';
import { rmsNorm } from './rms-norm.js';
import { RotaryEmbedding } from './rope.js';
import { useWasm } from './testing/setup-backend.js';

const seq = (n: number, scale = 0.1): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) * scale * 10);

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('fast ops (wasm)', () => {
  it('matMulFast: value and gradients equal tf.matMul (dy @ Wᵀ, xᵀ @ dy)', () => {
    const a = tf.tensor2d(seq(12), [3, 4]);
    const b = tf.tensor2d(seq(20, 0.2), [4, 5]);
    const r = tf.tensor2d(seq(15, 0.3), [3, 5]);
    const f = (mm: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D) => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor2D, w as tf.Tensor2D), r)));
    const ours = f(matMulFast)([a, b]).map((t) => Array.from(t.dataSync()));
    const ref = f((x, w) => tf.matMul(x, w))([a, b]).map((t) => Array.from(t.dataSync()));
    ours.flat().forEach((v, i) => expect(v).toBeCloseTo(ref.flat()[i]!, 5));
    expect(Array.from(matMulFast(a, b).dataSync())).toEqual(Array.from(tf.matMul(a, b).dataSync()));
  });

  it('gatherRows: rows in order and a scatter-add gradient with repeated indices', () => {
    const x = tf.tensor2d(seq(12), [4, 3]);
    const idx = Int32Array.from([2, 0, 2, 3]);
    expect(gatherRows(x, idx).arraySync()).toEqual(tf.gather(x, tf.tensor1d(idx, 'int32')).arraySync());
    const w = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3]);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, idx), w)))([x]);
    // row 0 ← w[1]; row 1 ← 0; row 2 ← w[0] + w[2]; row 3 ← w[3]
    expect(g!.arraySync()).toEqual([[4, 5, 6], [0, 0, 0], [8, 10, 12], [10, 11, 12]]);
  });

  it('rmsNorm: x / sqrt(mean(x²) + eps) · w', () => {
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const out = rmsNorm(x, tf.tensor1d([1, 1, 2, 0.5]), 1e-6).dataSync();
    const r = 1 / Math.sqrt((1 + 4 + 9 + 16) / 4 + 1e-6);
    [1 * r, 2 * r, 6 * r, 2 * r].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('RotaryEmbedding: x·cos + rotate_half(x)·sin with HF angles p·θ^(−2i/d)', () => {
    const rope = new RotaryEmbedding(4, 8, 10000);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
    const out = tf.tidy(() => rope.apply(x, rope.range(5, 1)).dataSync());
    const a0 = 5;
    const a1 = 5 * Math.pow(10000, -2 / 4);
    const expected = [
      1 * Math.cos(a0) - 3 * Math.sin(a0),
      2 * Math.cos(a1) - 4 * Math.sin(a1),
      3 * Math.cos(a0) + 1 * Math.sin(a0),
      4 * Math.cos(a1) + 2 * Math.sin(a1),
    ];
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    const at = tf.tidy(() => rope.apply(x, rope.at(Int32Array.from([5]))).dataSync());
    expect(Array.from(at)).toEqual(Array.from(out));
    rope.dispose();
  });

  it('headLogprobEntropy: values and gradients equal the plain tf formulation, in one chunk or in chunks of 2 rows', () => {
    const h = tf.tensor2d(seq(5 * 4), [5, 4]);
    const w = tf.tensor2d(seq(4 * 7, 0.3), [4, 7]);
    const targets = Int32Array.from([3, 0, 6, 6, 1]);
    const r = tf.tensor2d(seq(10, 0.05), [5, 2]);
    const plain = (hh: tf.Tensor, ww: tf.Tensor): tf.Tensor => {
      const lp = tf.logSoftmax(tf.div(tf.matMul(hh as tf.Tensor2D, ww as tf.Tensor2D), 0.7));
      const tok = tf.sum(tf.mul(lp, tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), 7), 'float32')), 1, true);
      return tf.concat([tok, tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), 1, true))], 1);
    };
    const run = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): number[][] => {
      const value = Array.from(f(h, w).dataSync());
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([h, w]).map((g) => Array.from(g.dataSync()));
      return [value, ...grads];
    };
    const ref = run(plain);
    for (const chunk of [undefined, 2]) {
      const ours = run((a, b) => headLogprobEntropy(a as tf.Tensor2D, b as tf.Tensor2D, targets, 0.7, chunk));
      ours.forEach((arr, i) => arr.forEach((v, j) => expect(v).toBeCloseTo(ref[i]![j]!, 5)));
    }
  });
});
