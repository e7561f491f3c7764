import * as tf from '@tensorflow/tfjs';
import { createRng } from '@arpo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { exportHfTensors } from './checkpoint.js';
import { parameterSpecs } from './decoder-weights.js';
import type { Float32Entry } from './safetensors.js';
import { TfjsPolicy } from './tfjs-policy.js';
import { randomizeVariables } from './testing/randomize.js';
import { logSoftmax, referenceLogits } from './testing/reference-model.js';
import { useWasm } from './testing/setup-backend.js';
import { TINY_LLAMA, TINY_QWEN2, tinyTokenizer } from './testing/tiny.js';

const sequences = [
  { promptTokens: [1, 300], responseTokens: [301, 302, 40] },
  { promptTokens: [1, 50, 60, 70], responseTokens: [80, 2] },
];

/** Loss L = Σ a·logprob + Σ b·entropy over response positions, with fixed random a, b. */
function coefficients(): { a: number[][]; b: number[][] } {
  const rng = createRng(5);
  const mk = (): number[][] => sequences.map(() => Array.from({ length: 3 }, () => rng.normal()));
  return { a: mk(), b: mk() };
}

/** The same loss in float64 with the independent reference forward pass. */
function referenceLoss(policy: TfjsPolicy, hf: ReadonlyMap<string, Float32Entry>, c: { a: number[][]; b: number[][] }): number {
  let loss = 0;
  sequences.forEach((s, i) => {
    const logits = referenceLogits(policy.dims, hf, [...s.promptTokens, ...s.responseTokens]);
    s.responseTokens.forEach((tok, j) => {
      const ls = logSoftmax(logits[s.promptTokens.length - 1 + j]!);
      const h = -ls.reduce((acc, v) => acc + Math.exp(v) * v, 0);
      loss += c.a[i]![j]! * ls[tok]! + c.b[i]![j]! * h;
    });
  });
  return loss;
}

const policies: TfjsPolicy[] = [];
afterAll(() => policies.forEach((p) => p.dispose()));

describe('gradient check: analytic (tfjs, float32) vs central finite differences of the float64 reference', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [name, config] of [
      ['llama', TINY_LLAMA],
      ['qwen2 tied + bias', TINY_QWEN2],
    ] as const) {
      it(`${backend} / ${name}: relative error < 1e-3 on sampled coordinates of every tensor`, async () => {
        if (backend === 'wasm') expect(await useWasm()).toBe('wasm');
        else await tf.setBackend('cpu');
        const policy = await TfjsPolicy.create(config, { tokenizer: tinyTokenizer(), seed: 1, backend: 'current' });
        policies.push(policy);
        randomizeVariables(policy.variablesByName(), 21, 0.4);
        const c = coefficients();
        const vars = policy.trainableVariables();
        const { grads } = tf.variableGrads(() => {
          const s = policy.scoreTokens({ sequences, withEntropy: true });
          const a = tf.tensor2d(c.a.flat(), [2, 3]);
          const b = tf.tensor2d(c.b.flat(), [2, 3]);
          return tf.add(tf.sum(tf.mul(s.logprobs, a)), tf.sum(tf.mul(s.entropies!, b))) as tf.Scalar;
        }, vars);
        const hf = exportHfTensors(policy['weights'], policy.dims);
        const rng = createRng(77);
        let worst = 0;
        let checked = 0;
        for (const spec of parameterSpecs(policy.dims)) {
          const v = policy.variablesByName().get(spec.name)!;
          const g = grads[v.name]!;
          const gHf = (spec.transposed ? tf.tidy(() => tf.transpose(g)) : g).dataSync() as Float32Array;
          const entry = hf.get(spec.name)!;
          // Embedding rows of unused tokens have zero gradient: sample from used rows there.
          const used = [...new Set(sequences.flatMap((s) => [...s.promptTokens, ...s.responseTokens]))];
          for (let k = 0; k < 3; k++) {
            const idx = spec.name === 'model.embed_tokens.weight'
              ? used[rng.int(used.length)]! * policy.dims.hidden + rng.int(policy.dims.hidden)
              : rng.int(entry.data.length);
            const orig = entry.data[idx]!;
            const eps = 1e-3;
            entry.data[idx] = orig + eps;
            const up = referenceLoss(policy, hf, c);
            entry.data[idx] = orig - eps;
            const down = referenceLoss(policy, hf, c);
            entry.data[idx] = orig;
            // The perturbation is applied to the float32 value: use the actual step.
            const step = Math.fround(orig + eps) - Math.fround(orig - eps);
            const fd = (up - down) / step;
            const an = gHf[idx]!;
            const rel = Math.abs(an - fd) / Math.max(Math.abs(fd), Math.abs(an), 1e-2);
            worst = Math.max(worst, rel);
            checked++;
          }
        }
        for (const gr of Object.values(grads)) gr.dispose();
        expect(checked).toBe(parameterSpecs(policy.dims).length * 3);
        console.info(`gradient check ${backend}/${name}: worst relative error ${worst.toExponential(2)} over ${checked} coordinates`);
        expect(worst).toBeLessThan(1e-3);
      });
    }
  }
});
