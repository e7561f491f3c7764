import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TfjsPolicy } from './tfjs-policy.js';
import { useWasm } from './testing/setup-backend.js';
import { TINY_QWEN2, tinyTokenizer } from './testing/tiny.js';

const sequences = [
  { promptTokens: [1, 300], responseTokens: [301, 302, 303, 2] },
  { promptTokens: [1, 304, 305], responseTokens: [306, 2] },
];

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('training with scoreTokens', () => {
  it('tensor count stays flat over 100 Adam steps, the loss falls, and a frozen copy does not move', async () => {
    const policy = await TfjsPolicy.create(TINY_QWEN2, { tokenizer: tinyTokenizer(), seed: 2, backend: 'current' });
    const frozen = policy.frozenCopy();
    const initial = await policy.logprobs({ sequences });
    expect(frozen.trainableVariables()).toEqual([]);
    expect(policy.trainableVariables()).toHaveLength(policy.variablesByName().size);
    const optimizer = tf.train.adam(1e-2);
    const vars = policy.trainableVariables();
    const step = (): number => {
      const loss = optimizer.minimize(() => {
        const s = policy.scoreTokens({ sequences, withEntropy: true });
        return tf.sub(tf.neg(tf.sum(s.logprobs)), tf.mul(0.001, tf.sum(s.entropies!))) as tf.Scalar;
      }, true, vars)!;
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    };
    const first = step(); // creates the optimizer's slots
    const counts: number[] = [];
    let last = first;
    for (let i = 0; i < 100; i++) {
      last = step();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(last).toBeLessThan(first / 4);
    const [before, after] = await Promise.all([frozen.logprobs({ sequences }), policy.logprobs({ sequences })]);
    const sum = (rows: number[][]): number => rows.flat().reduce((a, b) => a + b, 0);
    expect(sum(after)).toBeGreaterThan(sum(before));
    expect(before).toEqual(initial); // the frozen copy kept the initial weights exactly
    const n0 = tf.memory().numTensors;
    await policy.logprobs({ sequences });
    tf.tidy(() => {
      policy.scoreTokens({ sequences, withEntropy: true });
    });
    expect(tf.memory().numTensors).toBe(n0); // no-grad scoring leaks nothing either
    optimizer.dispose();
    frozen.dispose();
    policy.dispose();
  });
});
