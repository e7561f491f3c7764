import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScoreRequest } from '@arpo/core';
import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { policyLoss } from './policy-loss.js';
import { PolicyOptimizer, type PolicyOptimizerOptions } from './policy-optimizer.js';
import type { PolicySample } from './policy-sample.js';
import { tinyPolicy, useWasm } from './testing/fixtures.js';
import { syntheticSamples, withSamplerLogprobs } from './testing/samples.js';

// AEPO's options through the PolicyOptimizer on the tiny policy: 3 prompts × 4 sequences, sampler log-probs off by
// up to ±0.6 (so tokens are clipped), `sampler` as π_old.
let policy: TfjsPolicy;
let samples: PolicySample[];
const requestOf = (s: readonly PolicySample[]): ScoreRequest['sequences'] => s.map((x) => ({ promptTokens: x.promptTokens, responseTokens: x.responseTokens }));

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
  policy = await tinyPolicy(5, { initializer_range: 0.5 });
  const base = syntheticSamples(3, 4);
  samples = withSamplerLogprobs(base, await policy.logprobs({ sequences: requestOf(base) }), 0.6);
});

afterAll(() => policy.dispose());

async function gradientsWith(options: PolicyOptimizerOptions) {
  const opt = new PolicyOptimizer(policy, options);
  const spy = vi.spyOn(policy, 'scoreTokens');
  try {
    const result = await opt.gradients(samples);
    return { ...result, withEntropy: spy.mock.calls.map(([request]) => request.withEntropy === true) };
  } finally {
    spy.mockRestore();
    opt.dispose();
  }
}

/** The float64 reference loss of the whole batch as one micro-batch, with the policy's own log-probs and entropies. */
function referenceLoss(loss: Parameters<typeof policyLoss>[1]): ReturnType<typeof policyLoss> {
  const l = Math.max(...samples.map((s) => s.responseTokens.length));
  const [lp, h] = tf.tidy(() => {
    const scores = policy.scoreTokens({ sequences: requestOf(samples), withEntropy: true });
    return [Array.from(scores.logprobs.dataSync()), Array.from(scores.entropies!.dataSync())];
  });
  const flat = (rows: readonly ArrayLike<number>[]): number[] => rows.flatMap((r) => Array.from({ length: l }, (_, t) => (t < r.length ? r[t]! : 0)));
  return policyLoss(
    {
      logprobs: lp,
      oldLogprobs: flat(samples.map((s) => s.samplerLogprobs!)),
      advantages: flat(samples.map((s) => s.advantages)),
      mask: flat(samples.map((s) => s.lossMask)),
      shape: [samples.length, l],
      entropies: h,
    },
    loss,
  );
}

const base = { oldLogprobSource: 'sampler' } as const;

describe('AEPO options in the policy update', () => {
  it('entropyAdvantageWeight > 0 asks the policy for entropies even with entropyMetric off, and gives the float64 loss', async () => {
    const off = await gradientsWith({ loss: base, entropyMetric: false, optimizer: { microBatchSize: 12 } });
    expect(off.withEntropy).toEqual([false]);
    const on = await gradientsWith({ loss: { ...base, entropyAdvantageWeight: 0.2 }, entropyMetric: false, optimizer: { microBatchSize: 12 } });
    expect(on.withEntropy).toEqual([true]);
    const ref = referenceLoss({ entropyAdvantageWeight: 0.2 });
    expect(on.loss).toBeCloseTo(ref.loss, 5);
    expect(Math.abs(on.loss - off.loss)).toBeGreaterThan(1e-4); // Ã ≠ A
    expect(ref.metrics.clipFracHigh).toBeGreaterThan(0);
    tf.dispose([...off.grads.values(), ...on.grads.values()]);
  });

  it('the z-score of H is per micro-batch: micro-batches of 12 and of 3 give different updates (documented)', async () => {
    const one = await gradientsWith({ loss: { ...base, entropyAdvantageWeight: 0.2 }, optimizer: { microBatchSize: 12 } });
    const four = await gradientsWith({ loss: { ...base, entropyAdvantageWeight: 0.2 }, optimizer: { microBatchSize: 3 } });
    expect(four.microBatches).toBe(4);
    expect(Math.abs(one.loss - four.loss)).toBeGreaterThan(1e-5);
    tf.dispose([...one.grads.values(), ...four.grads.values()]);
  });

  it('entropy-balanced: the loss of dual-clip, a different gradient (clipped A > 0 tokens keep theirs)', async () => {
    const dc = await gradientsWith({ loss: { ...base, policyLoss: 'dual-clip' }, optimizer: { microBatchSize: 4 } });
    const eb = await gradientsWith({ loss: { ...base, policyLoss: 'entropy-balanced' }, optimizer: { microBatchSize: 4 } });
    expect(eb.loss).toBe(dc.loss);
    let maxDiff = 0;
    for (const [name, g] of dc.grads) {
      const a = g.dataSync();
      const b = eb.grads.get(name)!.dataSync();
      a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]!))));
    }
    expect(maxDiff).toBeGreaterThan(1e-4);
    tf.dispose([...dc.grads.values(), ...eb.grads.values()]);
  });
});
