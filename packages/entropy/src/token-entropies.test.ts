import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ArpoConfigError, ArpoError } from '@arpo/core';
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenEntropies } from './token-entropies.js';
import { tokenEntropy } from './token-entropy.js';

/** Same LCG fixture as token-entropy.test.ts (x ← 1664525·x + 1013904223 mod 2^32), mapped to [lo, hi). */
function lcgLogits(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let j = 0; j < n; j++) {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    out[j] = (x / 2 ** 32) * (hi - lo) + lo;
  }
  return out;
}

/** tokenEntropies vs tokenEntropy row by row (the array path sees the same float32 values). */
function compare(flat: Float32Array, positions: number, vocab: number, temperature = 1): number {
  const tensor = tf.tensor2d(flat, [positions, vocab]);
  const result = tokenEntropies(tensor, { temperature });
  const got = result.dataSync();
  tensor.dispose();
  result.dispose();
  expect(got.length).toBe(positions);
  let worst = 0;
  for (let i = 0; i < positions; i++) {
    const expected = tokenEntropy(flat.subarray(i * vocab, (i + 1) * vocab), { temperature });
    const rel = Math.abs(got[i]! - expected) / Math.max(expected, 1e-6);
    worst = Math.max(worst, rel);
  }
  return worst;
}

let backend = '';

beforeAll(async () => {
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch {
    ok = false;
  }
  if (!ok) {
    // Fallback: the wasm binary could not be loaded; the identity still holds on 'cpu'.
    console.warn('tokenEntropies tests: wasm backend failed to initialise, falling back to cpu');
    await tf.setBackend('cpu');
  }
  await tf.ready();
  backend = tf.getBackend();
});

describe('tokenEntropies (tfjs tensor)', () => {
  it('runs on the wasm backend', () => {
    expect(backend).toBe('wasm');
  });

  it('matches tokenEntropy to 1e-4 relative on random rows (V = 32000 and 152064, several T)', () => {
    expect(compare(lcgLogits(8 * 32000, 99, -10, 10), 8, 32000)).toBeLessThan(1e-4);
    expect(compare(lcgLogits(8 * 32000, 5, -3, 3), 8, 32000, 0.7)).toBeLessThan(1e-4);
    expect(compare(lcgLogits(3 * 152064, 12345, -10, 10), 3, 152064)).toBeLessThan(1e-4);
    expect(compare(lcgLogits(3 * 152064, 12345, -10, 10), 3, 152064, 2)).toBeLessThan(1e-4);
    // Peaked rows (logit spread 60): low entropy, still within 1e-4 relative.
    expect(compare(lcgLogits(4 * 32000, 3, -30, 30), 4, 32000)).toBeLessThan(1e-4);
  });

  it('gives ln V for uniform rows and ~0 for one-hot rows of magnitude 1e4', () => {
    const vocab = 152064;
    const flat = new Float32Array(2 * vocab).fill(-1e4);
    flat.fill(0, 0, vocab); // row 0 uniform
    flat[vocab + 17] = 1e4; // row 1 one-hot
    const x = tf.tensor2d(flat, [2, vocab]);
    const h = tokenEntropies(x);
    const [uniform, oneHot] = h.dataSync();
    expect(Math.abs(uniform! - Math.log(vocab)) / Math.log(vocab)).toBeLessThan(1e-6);
    expect(oneHot).toBe(0);
    tf.dispose([x, h]);
  });

  it('treats -Infinity logits as masked (probability 0)', () => {
    const x = tf.tensor2d([0, -Infinity, 0, -Infinity, 1, 2, 3, -Infinity], [2, 4]);
    const h = tokenEntropies(x);
    const got = h.dataSync();
    expect(got[0]).toBeCloseTo(Math.log(2), 6);
    expect(got[1]).toBeCloseTo(tokenEntropy([1, 2, 3]), 6);
    tf.dispose([x, h]);
  });

  it('throws naming the position of a NaN / +Infinity row; checkFinite: false passes it through', () => {
    const x = tf.tensor2d([0, 1, 2, 3, 0, NaN, 1, 1, 5, Infinity, 0, 0], [3, 4]);
    expect(() => tokenEntropies(x)).toThrow(ArpoError);
    expect(() => tokenEntropies(x)).toThrow('entropy of position 1 = NaN');
    const h = tokenEntropies(x, { checkFinite: false });
    const got = h.dataSync();
    expect(Number.isNaN(got[1])).toBe(true);
    expect(Number.isFinite(got[2])).toBe(false);
    tf.dispose([x, h]);
  });

  it('leaks no tensors (also when it throws) and leaves the input alone', () => {
    const x = tf.tensor2d(lcgLogits(4 * 1000, 1, -5, 5), [4, 1000]);
    const bad = tf.tensor2d([NaN, 0], [1, 2]);
    const before = tf.memory().numTensors;
    const h = tokenEntropies(x, { temperature: 0.5 });
    expect(tf.memory().numTensors).toBe(before + 1);
    h.dispose();
    expect(() => tokenEntropies(bad)).toThrow(ArpoError);
    expect(tf.memory().numTensors).toBe(before);
    // Inside tf.tidy the result is returned as usual.
    const kept = tf.tidy(() => tokenEntropies(x));
    expect(kept.shape).toEqual([4]);
    kept.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, bad]);
  });

  it('rejects a bad temperature, rank or dtype', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(() => tokenEntropies(x, { temperature: 0 })).toThrow(ArpoConfigError);
    expect(() => tokenEntropies(x, { temperature: 0 })).toThrow('temperature = 0');
    const v = tf.tensor1d([1, 2, 3]);
    expect(() => tokenEntropies(v as unknown as tf.Tensor2D)).toThrow('shape [3]');
    const ints = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    expect(() => tokenEntropies(ints)).toThrow('dtype int32');
    tf.dispose([x, v, ints]);
  });
});

describe('no run-time tfjs import', () => {
  it('source files import tfjs for types only, so the package loads without tfjs installed', () => {
    const dir = new URL('.', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const line of text.split('\n').filter((l) => /from '@tensorflow\//.test(l))) {
        expect(line, file).toMatch(/^import type /);
      }
      expect(text, file).not.toMatch(/require\(|import\(/);
    }
  });
});
