import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stopGradient } from './stop-gradient.js';
import { useWasm } from './testing/fixtures.js';

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('stopGradient', () => {
  it('d/dx [x·sg(x)] = sg(x) (= x in value), and x/sg(x) has the value 1 and the gradient 1/x', () => {
    const x = tf.tensor1d([0.5, 2, -3]);
    const [prod, ratio] = tf.tidy(() => [
      Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x).dataSync()),
      Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.div(v, stopGradient(v))))(x).dataSync()),
    ]);
    expect(prod).toEqual([0.5, 2, -3]);
    [2, 0.5, -1 / 3].forEach((g, i) => expect(ratio[i]).toBeCloseTo(g, 6));
    expect(Array.from(tf.tidy(() => tf.div(x, stopGradient(x))).dataSync())).toEqual([1, 1, 1]);
    x.dispose();
  });

  it('cuts the tape: a comparison on sg(x) on the way to the loss is not differentiated (tf.less has no gradient)', () => {
    const x = tf.tensor1d([0.5, -2]);
    const g = tf.tidy(() => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.where(tf.less(stopGradient(v), 0), tf.mul(v, 3), v)))(x).dataSync()));
    expect(g).toEqual([1, 3]);
    x.dispose();
  });

  it('leaks no tensor', () => {
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
