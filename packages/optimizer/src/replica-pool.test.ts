import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Generation } from '@arpo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { PolicyOptimizer } from './policy-optimizer.js';
import { ReplicaPool } from './replica-pool.js';
import { createParallelPolicy } from './parallel-policy.js';
import type { PolicySample, SftSample } from './policy-sample.js';
import { snapshotWeights, tinyPolicy, useWasm } from './testing/fixtures.js';
import { syntheticSamples, withSamplerLogprobs } from './testing/samples.js';

let samples: PolicySample[];
const requestOf = (s: readonly PolicySample[]) => ({ sequences: s.map((x) => ({ promptTokens: x.promptTokens, responseTokens: x.responseTokens })) });

/** Largest |a − b| / max(|b|, 1e-3) over two weight snapshots. */
function maxRelDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i]![j]!) / Math.max(Math.abs(b[i]![j]!), 1e-3)))));
  return d;
}

async function freshPolicy(): Promise<TfjsPolicy> {
  return tinyPolicy(3, { initializer_range: 0.5 });
}

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
  const p = await freshPolicy();
  const base = syntheticSamples(4, 4);
  samples = withSamplerLogprobs(base, await p.logprobs(requestOf(base)), 0.6);
  p.dispose();
});

describe('data-parallel gradients (workers)', () => {
  it.each(['sampler', 'recompute'] as const)('RL updates with 2 and 3 lanes give the same parameters and metrics as with 1, bit for bit (old log-probs: %s)', async (oldLogprobSource) => {
    const results = [];
    for (const workers of [1, 2, 3]) {
      const p = await freshPolicy();
      const opt = new PolicyOptimizer(p, { workers, loss: { oldLogprobSource, aggregation: 'seq-mean-token-mean' }, optimizer: { learningRate: 1e-2, microBatchSize: 3, miniBatchSize: 2 } });
      const m1 = await opt.update(samples);
      const m2 = await opt.update(samples); // the workers must see the weights of the first update
      results.push({ weights: snapshotWeights(p), m: [m1, m2].map(({ timings: _t, ...rest }) => rest) });
      opt.dispose();
      p.dispose();
    }
    const [one, two, three] = results;
    expect(maxRelDiff(two!.weights, one!.weights)).toBe(0);
    expect(maxRelDiff(three!.weights, one!.weights)).toBe(0);
    expect(two!.m).toEqual(one!.m);
    expect(three!.m).toEqual(one!.m);
    // 2 mini-batches of 8 sequences in micro-batches of 3: 3 micro-batches each, 6 per update.
    expect(one!.m[0]!.microBatches).toBe(6);
  });

  it('SFT steps with 2 lanes match 1 lane bit for bit (the worker sees each step\'s new weights)', async () => {
    const sft: SftSample[] = samples.map((s) => ({ promptTokens: s.promptTokens, responseTokens: s.responseTokens, lossMask: s.lossMask }));
    const results = [];
    for (const workers of [1, 2]) {
      const p = await freshPolicy();
      const opt = new PolicyOptimizer(p, { workers, optimizer: { learningRate: 1e-2, microBatchSize: 4 } });
      const losses = [(await opt.sftStep(sft)).loss, (await opt.sftStep(sft)).loss, (await opt.sftStep(sft)).loss];
      results.push({ weights: snapshotWeights(p), losses });
      opt.dispose();
      p.dispose();
    }
    const [one, two] = results;
    expect(two!.losses).toEqual(one!.losses); // stale worker weights would differ from step 2 on
    expect(one!.losses[2]).toBeLessThan(one!.losses[0]!);
    expect(maxRelDiff(two!.weights, one!.weights)).toBe(0);
  });

  it('leaks no tensors over 100 steps, on the main thread or in the worker', async () => {
    const p = await freshPolicy();
    const opt = new PolicyOptimizer(p, { workers: 2, optimizer: { learningRate: 1e-3, microBatchSize: 4 } });
    const sft: SftSample[] = samples.slice(0, 8).map((s) => ({ promptTokens: s.promptTokens, responseTokens: s.responseTokens, lossMask: s.lossMask }));
    await opt.sftStep(sft);
    const pool = await (opt as unknown as { pool: Promise<{ workerTensorCounts(): Promise<number[]> }> }).pool;
    const main0 = tf.memory().numTensors;
    const [worker0] = await pool.workerTensorCounts();
    for (let i = 0; i < 99; i++) await opt.sftStep(sft);
    expect(tf.memory().numTensors).toBe(main0);
    expect(await pool.workerTensorCounts()).toEqual([worker0]);
    opt.dispose();
    p.dispose();
  });

  it('a worker that dies during a step fails the step with an error naming it, and the weights are unchanged', async () => {
    // A setup module that makes the worker exit (code 9) when its third micro-batch arrives: the first of step 2
    // (16 sequences in micro-batches of 4: 2 per lane per step).
    const dir = mkdtempSync(join(tmpdir(), 'arpo-worker-crash-'));
    const setup = join(dir, 'crash.mjs');
    writeFileSync(setup, "import { parentPort } from 'node:worker_threads';\nlet n = 0;\nparentPort.on('message', (m) => { if (m.type === 'gradient' && ++n === 3) process.exit(9); });\n");
    const p = await freshPolicy();
    const opt = new PolicyOptimizer(p, { workers: 2, workerSetupModule: pathToFileURL(setup).href, optimizer: { learningRate: 1e-2, microBatchSize: 4 } });
    const sft: SftSample[] = samples.map((s) => ({ promptTokens: s.promptTokens, responseTokens: s.responseTokens, lossMask: s.lossMask }));
    await opt.sftStep(sft);
    const before = snapshotWeights(p);
    const tensors = tf.memory().numTensors;
    await expect(opt.sftStep(sft)).rejects.toThrow(/replica worker 1 \(thread \d+\) exited with code 9/);
    expect(maxRelDiff(snapshotWeights(p), before)).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(opt.sftStep(sft)).rejects.toThrow(/replica worker 1 .*exited with code 9/); // stays failed, never silently single-threaded
    opt.dispose();
    p.dispose();
  });

  it('rejects workers > 1 for a policy that cannot be replicated, naming the field', async () => {
    const p = await freshPolicy();
    const plain = { modelId: 'plain', specificationVersion: 'v1', trainableVariables: () => p.trainableVariables() } as unknown as TfjsPolicy;
    expect(() => new PolicyOptimizer(plain, { workers: 2 })).toThrow(/workers.*2.*has no replicaSpec\(\)/s);
    expect(() => new PolicyOptimizer(p, { workers: 0 })).toThrow(/workers.*0.*an integer >= 1/s);
    p.dispose();
  });

  it('workers do not keep the process alive: a script that never disposes its optimizer exits by itself', () => {
    const script = `
      import { PolicyOptimizer } from '@arpo/optimizer';
      import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';
      await selectBackend('wasm', { log: () => {} });
      const tokenizer = { specificationVersion: 'v1', vocabSize: 16, padTokenId: 0, eosTokenId: 2, encode: () => [], decode: () => '' };
      const p = await TfjsPolicy.create({ model_type: 'llama', vocab_size: 16, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 32 }, { tokenizer, backend: 'current' });
      const opt = new PolicyOptimizer(p, { workers: 2, optimizer: { microBatchSize: 1 } });
      const s = { promptTokens: [1, 3], responseTokens: [4, 5, 2], lossMask: [1, 1, 1] };
      const m = await opt.sftStep([s, s]);
      console.log(\`microBatches \${m.microBatches}\`);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('microBatches 2');
    expect(r.status).toBe(0);
  });
});

describe('lane policies (generation on a replica worker)', () => {
  it('dispose() right after a fire-and-forget release still runs the code after it (the process does not exit early)', () => {
    const script = `
      import { ReplicaPool } from '@arpo/optimizer';
      import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';
      await selectBackend('wasm', { log: () => {} });
      const tokenizer = { specificationVersion: 'v1', vocabSize: 16, padTokenId: 0, eosTokenId: 2, encode: () => [], decode: () => '' };
      const p = await TfjsPolicy.create({ model_type: 'llama', vocab_size: 16, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 32 }, { tokenizer, backend: 'current' });
      const pool = await ReplicaPool.start({ policy: p, threads: 1 });
      const lane = pool.lanePolicy(1);
      await lane.generate({ prefixes: [[1, 3]], sequenceIds: ['s'], maxNewTokens: 2, sampling: { temperature: 0, topP: 1, topK: 0 } });
      lane.release('s');
      await pool.dispose();
      console.log('after dispose');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('after dispose');
    expect(r.status).toBe(0);
  });

  it('generate on a worker gives the tokens, log-probs and entropies of the policy itself, and follows weight updates', async () => {
    const p = await freshPolicy();
    const pool = await ReplicaPool.start({ policy: p, threads: 1 });
    const lane = pool.lanePolicy(1);
    const request = (seed: number) => ({
      prefixes: [[1, 3, 4], [1, 5]],
      sequenceIds: ['a', 'b'],
      maxNewTokens: 6,
      sampling: { temperature: 1, topP: 1, topK: 0 },
      topLogprobs: 3,
      returnEntropy: true,
      seed,
    });
    expect(await lane.generate(request(5))).toEqual(await p.generate(request(5)));
    const greedy = { ...request(0), sampling: { temperature: 0, topP: 1, topK: 0 } };
    expect(await lane.generate(greedy)).toEqual(await p.generate(greedy));
    // fork / release reach the worker's cache; a continuation after a fork equals the policy's own.
    await lane.fork!('a', 'a2');
    p.fork('a', 'a2');
    const more = { ...request(9), prefixes: [[1, 3, 4, 7]], sequenceIds: ['a2'] };
    expect(await lane.generate(more)).toEqual(await p.generate(more));
    await lane.release!('a2');
    // An update of the policy's weights reaches the worker before its next call.
    const opt = new PolicyOptimizer(p, { optimizer: { learningRate: 0.05, microBatchSize: 4 } });
    await opt.sftStep(samples.slice(0, 4).map((s) => ({ promptTokens: s.promptTokens, responseTokens: s.responseTokens, lossMask: s.lossMask })));
    const after = await p.generate(request(5));
    expect(await lane.generate(request(5))).toEqual(after);
    expect(lane.modelId).toBe(`${p.modelId}#worker1`);
    expect(() => pool.lanePolicy(2)).toThrow(/worker = 2 \(expected an integer in \[1, 1\]\)/);
    opt.dispose();
    await pool.dispose();
    await expect(lane.generate(request(5))).rejects.toThrow(/the pool was disposed/);
    p.dispose();
  });

  it.each([1, 2])('a parallel policy over this thread and %i worker(s) generates the tokens the policy does, round after round, with forks', async (threads) => {
    const p = await freshPolicy();
    const pool = await ReplicaPool.start({ policy: p, threads });
    const parallel = createParallelPolicy(p, pool);
    const round = (ids: string[], prefixes: number[][], seed: number) => ({
      prefixes,
      sequenceIds: ids,
      maxNewTokens: prefixes.map((_, i) => 3 + i),
      sampling: { temperature: 1, topP: 1, topK: 0 },
      topLogprobs: 2,
      returnEntropy: true,
      seed,
    });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const prefixes = ids.map((_, i) => [1, 3 + i, 5]);
    // The same tokens; log-probs / entropies equal to float32 rounding (the batch's padding differs per lane).
    const same = (a: Generation[], b: Generation[]): void => {
      expect(a.map((g) => g.tokens)).toEqual(b.map((g) => g.tokens));
      expect(a.map((g) => g.finishReason)).toEqual(b.map((g) => g.finishReason));
      a.forEach((g, i) => {
        g.logprobs.forEach((x, t) => expect(x).toBeCloseTo(b[i]!.logprobs[t]!, 5));
        g.entropies!.forEach((x, t) => expect(x).toBeCloseTo(b[i]!.entropies![t]!, 5));
        expect(g.topLogprobs!.map((top) => top.map((c) => c.token))).toEqual(b[i]!.topLogprobs!.map((top) => top.map((c) => c.token)));
      });
    };
    const first = await parallel.generate(round(ids, prefixes, 11));
    same(first, await p.generate(round(ids.map((x) => `ref-${x}`), prefixes, 11)));
    // Continue a, fork c into c2 (on c's lane), continue both: still the policy's own tokens.
    await parallel.fork!('c', 'c2');
    p.fork('ref-c', 'ref-c2');
    const next = [[...prefixes[0]!, ...first[0]!.tokens, 7], [...prefixes[2]!, ...first[2]!.tokens], [...prefixes[2]!, ...first[2]!.tokens]];
    const second = await parallel.generate(round(['a', 'c', 'c2'], next, 12));
    same(second, await p.generate(round(['ref-a', 'ref-c', 'ref-c2'], next, 12)));
    for (const id of [...ids, 'c2']) await parallel.release!(id);
    expect(parallel.modelId).toBe(p.modelId);
    await pool.dispose();
    p.dispose();
  });
});
