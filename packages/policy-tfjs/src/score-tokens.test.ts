import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportHfTensors } from './checkpoint.js';
import { TfjsPolicy } from './tfjs-policy.js';
import { randomizeVariables } from './testing/randomize.js';
import { logSoftmax, referenceLogits } from './testing/reference-model.js';
import { useWasm } from './testing/setup-backend.js';
import { TINY_LLAMA, TINY_QWEN2, tinyTokenizer } from './testing/tiny.js';

const sequences = [
  { promptTokens: [1, 300, 301], responseTokens: [302, 303, 20, 2] },
  { promptTokens: [1], responseTokens: [310, 40] },
  { promptTokens: [1, 305, 306, 307, 308, 309], responseTokens: [] },
  { promptTokens: [1, 50, 60], responseTokens: [70, 80, 90, 100, 110, 120] },
];

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('scoreTokens vs an independent float64 reference forward pass', () => {
  for (const [name, config] of [
    ['llama (GQA, untied)', TINY_LLAMA],
    ['qwen2 (q/k/v bias, tied)', TINY_QWEN2],
  ] as const) {
    it(`${name}: log-probs and entropies match to 1e-4`, async () => {
      const policy = await TfjsPolicy.create(config, { tokenizer: tinyTokenizer(), seed: 3, backend: 'current' });
      randomizeVariables(policy.variablesByName(), 11, 0.3);
      const hf = exportHfTensors(policy['weights'], policy.dims);
      const { logprobs, entropies } = tf.tidy(() => ({ ...policy.scoreTokens({ sequences, withEntropy: true }) }));
      expect(logprobs.shape).toEqual([4, 6]);
      const lp = logprobs.arraySync();
      const ent = entropies!.arraySync();
      logprobs.dispose();
      entropies!.dispose();
      let worst = 0;
      sequences.forEach((s, i) => {
        const full = [...s.promptTokens, ...s.responseTokens];
        const ref = referenceLogits(policy.dims, hf, full);
        for (let j = 0; j < 6; j++) {
          if (j >= s.responseTokens.length) {
            expect(lp[i]![j]).toBe(0);
            expect(ent[i]![j]).toBe(0);
            continue;
          }
          const ls = logSoftmax(ref[s.promptTokens.length - 1 + j]!);
          const h = -ls.reduce((a, v) => a + Math.exp(v) * v, 0);
          worst = Math.max(worst, Math.abs(lp[i]![j]! - ls[s.responseTokens[j]!]!), Math.abs(ent[i]![j]! - h));
        }
      });
      expect(worst).toBeLessThan(1e-4);
      const plain = await policy.logprobs({ sequences });
      expect(plain.map((r) => r.length)).toEqual([4, 2, 0, 6]);
      plain.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(lp[i]![j]!, 5)));
      policy.dispose();
    });
  }

  it('rejects empty prompts and out-of-range ids with the index named', async () => {
    const policy = await TfjsPolicy.create(TINY_LLAMA, { tokenizer: tinyTokenizer(), backend: 'current' });
    expect(() => policy.scoreTokens({ sequences: [{ promptTokens: [], responseTokens: [3] }] })).toThrow(/sequences\[0\]\.promptTokens is empty/);
    expect(() => policy.scoreTokens({ sequences: [{ promptTokens: [1], responseTokens: [400] }] })).toThrow(/token id 400/);
    policy.dispose();
  });
});
