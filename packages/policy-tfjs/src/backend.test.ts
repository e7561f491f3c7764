import * as tf from '@tensorflow/tfjs';
import { ArpoError, createRng } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';

describe('selectBackend', () => {
  it("'auto' falls back to wasm when no tfjs-node package is installed, and logs why", async () => {
    const lines: string[] = [];
    const s = await selectBackend('auto', { log: (m) => lines.push(m) });
    expect(s.backend).toBe('wasm');
    expect(s.reason).toMatch(/@tensorflow\/tfjs-node-gpu not installed, @tensorflow\/tfjs-node not installed; wasm backend \(SIMD on, 1 thread/);
    expect(lines).toEqual([`[@arpo/policy-tfjs] backend: wasm (${s.reason})`]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'tensorflow' throws an ArpoError naming the missing packages; 'cpu' works", async () => {
    await expect(selectBackend('tensorflow', { log: () => {} })).rejects.toBeInstanceOf(ArpoError);
    await expect(selectBackend('tensorflow', { log: () => {} })).rejects.toThrow(/install @tensorflow\/tfjs-node/);
    expect((await selectBackend('cpu', { log: () => {} })).backend).toBe('cpu');
  });
});

describe('wasm O(slice) Slice / SplitV / Unpack kernels', () => {
  it('give the same results as the cpu backend for contiguous and strided slices, split and unstack', async () => {
    const rng = createRng(4);
    const shapes = [[7], [5, 6], [3, 4, 5], [2, 3, 4, 5], [2, 2, 3, 2, 3]];
    const cases: { shape: number[]; begin: number[]; size: number[] }[] = [];
    for (const shape of shapes) {
      for (let r = 0; r < 6; r++) {
        const begin = shape.map((n) => rng.int(n));
        const size = shape.map((n, i) => 1 + rng.int(n - begin[i]!));
        cases.push({ shape, begin, size });
      }
    }
    const run = async (backend: string): Promise<number[][]> => {
      await selectBackend(backend as 'wasm' | 'cpu', { log: () => {} });
      return tf.tidy(() => {
        const out: number[][] = [];
        for (const c of cases) {
          const n = c.shape.reduce((a, b) => a * b, 1);
          const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3), c.shape);
          out.push(Array.from(tf.slice(x, c.begin, c.size).dataSync()));
        }
        const m = tf.tensor3d(Float32Array.from({ length: 60 }, (_, i) => i), [3, 4, 5]);
        for (const axis of [0, 1, 2]) {
          for (const t of tf.unstack(m, axis)) out.push(Array.from(t.dataSync()));
          for (const t of tf.split(m, [[1, 2], [1, 3], [2, 3]][axis]!, axis)) out.push(Array.from(t.dataSync()));
        }
        out.push(Array.from(tf.slice(tf.tensor1d([1, 2, 3], 'int32'), [1], [2]).dataSync()));
        return out;
      });
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    expect(wasm).toEqual(cpu);
    await selectBackend('wasm', { log: () => {} });
    expect(tf.getKernel('Slice', 'wasm')!.kernelFunc.name).toBe('sliceKernel');
  });
});
