import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardFunction, Tokenizer } from '@arpo/core';
import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';
import { ArpoLoop } from './arpo-loop.js';

/** 0 pad, 1 BOS, 2 EOS, the rest `t<id>`. */
const tokenizer: Tokenizer = {
  specificationVersion: 'v1',
  vocabSize: 16,
  padTokenId: 0,
  bosTokenId: 1,
  eosTokenId: 2,
  encode: (text) => text.split(/\s+/).filter(Boolean).map((w) => Number(w.slice(1))),
  decode: (ids, options) => ids.filter((i) => !(options?.skipSpecialTokens && i <= 2)).map((i) => ` t${i}`).join(''),
};

const TINY = {
  model_type: 'llama',
  vocab_size: 16,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 32,
  initializer_range: 0.02,
} as const;

/** Reward 1 when the one-token answer is the ground truth, else 0. */
const exact: RewardFunction = {
  specificationVersion: 'v1',
  name: 'exact-token',
  score: ({ response, groundTruth }) => ({ reward: response.trim() === groundTruth ? 1 : 0 }),
};

const PROMPTS = [
  { promptId: 'a', promptTokens: [1, 5], groundTruth: 't9' },
  { promptId: 'b', promptTokens: [1, 6], groundTruth: 't11' },
];
const CONFIG = {
  seed: 3,
  rollout: { rollouts: 8, maxResponseTokens: 1, maxPromptTokens: 8, entropySource: 'full' as const, topLogprobs: 0 },
  optimizer: { learningRate: 1e-2, trainBatchSize: 2, miniBatchSize: 2, microBatchSize: 16 },
};

let policy: TfjsPolicy;
beforeAll(async () => {
  if (tf.getBackend() !== 'wasm') await selectBackend('wasm', { log: () => {} });
  policy = await TfjsPolicy.create(TINY, { tokenizer, seed: 1, backend: 'current' });
});
afterAll(() => policy?.dispose());

const targetProbs = async (): Promise<number[]> =>
  (await policy.logprobs({ sequences: PROMPTS.map((p) => ({ promptTokens: p.promptTokens, responseTokens: tokenizer.encode(p.groundTruth) })) })).map((r) =>
    Math.exp(r[0]!),
  );

describe('ArpoLoop: rollout → reward → advantages → update on a real tfjs policy', () => {
  it('raises the rewarded answers from ≈ 1/V to > 0.5 within 40 steps; groups of exactly M, rewards and state recorded', async () => {
    const before = await targetProbs();
    for (const p of before) expect(p).toBeGreaterThan(0.5 / 16), expect(p).toBeLessThan(2 / 16);
    const loop = new ArpoLoop({ policy, tools: [], reward: exact, config: CONFIG, totalSteps: 40 });
    let first;
    for (let s = 0; s < 40; s++) {
      const r = await loop.run(PROMPTS);
      first ??= r;
    }
    const after = await targetProbs();
    expect(Math.min(...after)).toBeGreaterThan(0.5);
    expect(first!.groups.map((g) => g.trajectories.length)).toEqual([8, 8]);
    expect(first!.groups.map((g) => g.rewards!.length)).toEqual([8, 8]);
    expect(first!.rewards[0]!.map((o) => o.reward)).toEqual(first!.groups[0]!.rewards);
    expect(first!.update.steps.length).toBe(1);
    const state = loop.exportState();
    expect(state.step).toBe(40);
    expect(JSON.parse(JSON.stringify(state)).optimizer.scheduleStep).toBe(40);
    loop.dispose();
  }, 120_000);

  it('a reward that is not a finite number is an error naming the trajectory', async () => {
    const broken: RewardFunction = { specificationVersion: 'v1', name: 'broken', score: () => ({ reward: Number.NaN }) };
    const loop = new ArpoLoop({ policy, tools: [], reward: broken, config: CONFIG });
    await expect(loop.run(PROMPTS.slice(0, 1))).rejects.toThrow(
      "Invalid reward 'broken' result: groups[0] ('a').trajectories['a/0'].reward = NaN (expected a finite number)",
    );
    loop.dispose();
  });

  it("rejects an algorithm other than 'arpo' or 'grpo'", () => {
    expect(() => new ArpoLoop({ policy, tools: [], reward: exact, algorithm: 'ppo' as 'arpo' })).toThrow(
      'Invalid ArpoLoop options: algorithm = "ppo" (expected \'arpo\' or \'grpo\')',
    );
  });

  it('with workers: 2 (rollout rows and update micro-batches on a replica worker) the steps and weights are those of one thread', async () => {
    const runs = [];
    for (const workers of [1, 2]) {
      const p = await TfjsPolicy.create(TINY, { tokenizer, seed: 1, backend: 'current' });
      const loop = new ArpoLoop({ policy: p, tools: [], reward: exact, config: { ...CONFIG, optimizer: { ...CONFIG.optimizer, microBatchSize: 4 } }, totalSteps: 3, workers });
      const steps = [];
      for (let s = 0; s < 3; s++) {
        const r = await loop.run(PROMPTS);
        steps.push({ tokens: r.groups.map((g) => g.trajectories.map((t) => t.responseTokens)), rewards: r.groups.map((g) => g.rewards), loss: r.update.loss, microBatches: r.update.microBatches });
      }
      runs.push({ steps, weights: p.trainableVariables().map((v) => Array.from(v.dataSync())) });
      loop.dispose();
      p.dispose();
    }
    expect(runs[1]!.steps).toEqual(runs[0]!.steps);
    expect(runs[1]!.weights).toEqual(runs[0]!.weights);
    expect(runs[0]!.steps[0]!.microBatches).toBe(4); // 16 sequences in micro-batches of 4: two per lane
  }, 120_000);
});
