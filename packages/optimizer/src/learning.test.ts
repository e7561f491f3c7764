import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAdvantages } from '@arpo/advantage';
import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { PolicyOptimizer } from './policy-optimizer.js';
import { policySamples } from './policy-sample.js';
import { tinyPolicy, useWasm } from './testing/fixtures.js';

// Real learning checks on the tiny tfjs policy (V = 16, near-uniform at initialisation, seeded).
const V = 16;
let policy: TfjsPolicy;

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});
afterAll(() => policy?.dispose());

describe('RL: sample → reward → GRPO advantages → update', () => {
  it("raises the rewarded token's probability from ≈ 1/V to > 0.9 within 120 updates", async () => {
    policy = await tinyPolicy(1);
    // Two prompts, each with its own target token: reward 1 for emitting it right after the prompt.
    const prompts = [
      { id: 'a', tokens: [1, 5], target: 9 },
      { id: 'b', tokens: [1, 6], target: 11 },
    ];
    const G = 8; // M sequences per prompt (the GRPO group)
    const probs = async (): Promise<number[]> =>
      (await policy.logprobs({ sequences: prompts.map((p) => ({ promptTokens: p.tokens, responseTokens: [p.target] })) })).map((r) => Math.exp(r[0]!));
    const initial = await probs();
    for (const p of initial) expect(p).toBeGreaterThan(0.5 / V), expect(p).toBeLessThan(2 / V);
    const opt = new PolicyOptimizer(policy, { optimizer: { learningRate: 1e-2, miniBatchSize: 2, microBatchSize: 16 } });
    let updates = 0;
    let current = initial;
    while (Math.min(...current) <= 0.9 && updates < 120) {
      const gens = await policy.generate({
        prefixes: prompts.flatMap((p) => Array.from({ length: G }, () => p.tokens)),
        maxNewTokens: 1,
        sampling: { temperature: 1, topP: 1, topK: 0 },
        seed: 1000 + updates,
      });
      const groups = prompts.map((p, i) => {
        const rows = gens.slice(i * G, (i + 1) * G);
        return {
          promptId: p.id,
          trajectories: rows.map((g, j) => ({
            id: `${p.id}-${updates}-${j}`,
            promptId: p.id,
            promptTokens: p.tokens,
            responseTokens: g.tokens,
            lossMask: g.tokens.map(() => 1),
            samplerLogprobs: g.logprobs,
            parentId: null,
            branchPoint: null,
          })),
          rewards: rows.map((g) => (g.tokens[0] === p.target ? 1 : 0)),
        };
      });
      const samples = policySamples(groups, groups.map((g) => computeAdvantages(g)));
      const m = await opt.update(samples);
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.oldLogprobDiff!.max).toBeLessThan(1e-4); // recomputed vs sampler log-probs (same weights, T = 1)
      updates++;
      current = await probs();
    }
    expect(Math.min(...current)).toBeGreaterThan(0.9);
    expect(updates).toBeLessThan(120);
    if (process.env['ARPO_TEST_VERBOSE']) console.info(`RL: ${updates} updates, p = ${current.map((x) => x.toFixed(3)).join(', ')}`);
    opt.dispose();
  });
});

describe('SFT: masked cross-entropy on a fixed sequence', () => {
  it('raises every trained token to p > 0.9 within 100 steps; the tool-result tokens (mask 0) are excluded', async () => {
    const p = await tinyPolicy(2);
    // prompt [BOS, 4]; response: model tokens 7 12, a "tool result" 13 14 (mask 0), model tokens 9 EOS
    const sample = { promptTokens: [1, 4], responseTokens: [7, 12, 13, 14, 9, 2], lossMask: [1, 1, 0, 0, 1, 1] };
    const trained = async (): Promise<number[]> => {
      const [row] = await p.logprobs({ sequences: [sample] });
      return row!.filter((_, t) => sample.lossMask[t] === 1).map(Math.exp);
    };
    for (const q of await trained()) expect(q).toBeLessThan(2 / V);
    const opt = new PolicyOptimizer(p, { optimizer: { learningRate: 1e-2 } });
    let steps = 0;
    let first: number | undefined;
    let last = Infinity;
    while (Math.min(...(await trained())) <= 0.9 && steps < 100) {
      const m = await opt.sftStep([sample]);
      expect(m.tokens).toBe(4);
      first ??= m.loss;
      last = m.loss;
      steps++;
    }
    expect(Math.min(...(await trained()))).toBeGreaterThan(0.9);
    expect(steps).toBeLessThan(100);
    if (process.env['ARPO_TEST_VERBOSE']) console.info(`SFT: ${steps} steps, loss ${first} → ${last}`);
    expect(Math.abs(first! - Math.log(V))).toBeLessThan(0.15); // ≈ −log(1/V) at a near-uniform start
    expect(last).toBeLessThan(0.3);
    opt.dispose();
    p.dispose();
  });
});
