import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoreRequest, TokenScores } from '@arpo/core';
import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { NonFiniteError } from './non-finite-error.js';
import { policyLoss } from './policy-loss.js';
import { PolicyOptimizer, type TfjsTrainablePolicy } from './policy-optimizer.js';
import { policySamples, type PolicySample } from './policy-sample.js';
import { maxWeightDiff, snapshotWeights, tinyPolicy, useWasm } from './testing/fixtures.js';
import { syntheticSamples, withSamplerLogprobs } from './testing/samples.js';

let policy: TfjsPolicy;
let samples: PolicySample[];
const requestOf = (s: readonly PolicySample[]): ScoreRequest => ({ sequences: s.map((x) => ({ promptTokens: x.promptTokens, responseTokens: x.responseTokens })) });

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
  policy = await tinyPolicy(3, { initializer_range: 0.5 });
  const base = syntheticSamples(3, 4);
  samples = withSamplerLogprobs(base, await policy.logprobs(requestOf(base)), 0.6);
});

afterAll(() => policy.dispose());

/** Flattens per-sample arrays of a batch to `[B, L]`, right-padded. */
function flat(rows: readonly ArrayLike<number>[], l: number): number[] {
  return rows.flatMap((r) => Array.from({ length: l }, (_, t) => (t < r.length ? r[t]! : 0)));
}

describe('gradient accumulation over micro-batches', () => {
  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum', 'seq-mean-token-sum-norm'] as const)(
    '%s: micro-batches of 1, 5 and 12 sequences give the same gradient as one batch (1e-5)',
    async (aggregation) => {
      const results = [];
      for (const microBatchSize of [12, 5, 1]) {
        const opt = new PolicyOptimizer(policy, { loss: { aggregation, oldLogprobSource: 'sampler' }, optimizer: { microBatchSize } });
        results.push(await opt.gradients(samples));
        opt.dispose();
      }
      const [one, ...others] = results;
      // The accumulated loss is the float64 reference loss of the whole batch.
      const lp = await policy.logprobs(requestOf(samples));
      const l = Math.max(...samples.map((s) => s.responseTokens.length));
      const ref = policyLoss(
        {
          logprobs: flat(lp, l),
          oldLogprobs: flat(samples.map((s) => s.samplerLogprobs!), l),
          advantages: flat(samples.map((s) => s.advantages), l),
          mask: flat(samples.map((s) => s.lossMask), l),
          shape: [samples.length, l],
        },
        { aggregation },
      );
      expect(one!.loss).toBeCloseTo(ref.loss, 5);
      expect(ref.metrics.clipFrac + ref.metrics.clipFracDual).toBeGreaterThan(0); // the clip branches are exercised
      for (const other of others) {
        expect(other.loss).toBeCloseTo(one!.loss, 6);
        let maxDiff = 0;
        for (const [name, g] of one!.grads) {
          const a = g.dataSync();
          const b = other.grads.get(name)!.dataSync();
          a.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i]!))));
        }
        expect(maxDiff).toBeLessThan(1e-5);
        expect(one!.gradNorm).toBeGreaterThan(1e-3);
      }
      for (const r of results) tf.dispose([...r.grads.values()]);
    },
  );

  it('one update with micro-batches of 2 equals one with a single micro-batch (weights to 1e-5)', async () => {
    const weights: Float32Array[][] = [];
    for (const microBatchSize of [12, 2]) {
      const p = await tinyPolicy(3, { initializer_range: 0.5 });
      const opt = new PolicyOptimizer(p, { loss: { oldLogprobSource: 'sampler' }, optimizer: { microBatchSize, learningRate: 1e-3, epsilon: 1e-3 } });
      const m = await opt.update(samples);
      expect(m.microBatches).toBe(12 / microBatchSize);
      weights.push(snapshotWeights(p));
      opt.dispose();
      p.dispose();
    }
    expect(maxWeightDiff(weights[0]!, weights[1]!)).toBeLessThan(1e-5);
    expect(maxWeightDiff(weights[0]!, snapshotWeights(policy))).toBeGreaterThan(1e-4); // it did move
  });

  it("per-micro-batch scaling (verl dynamic bsz): Σ_j (b_j / B)·token-mean_j", async () => {
    const opt = new PolicyOptimizer(policy, { loss: { oldLogprobSource: 'sampler' }, optimizer: { microBatchSize: 5 }, microBatchScaling: 'per-micro-batch' });
    const g = await opt.gradients(samples);
    tf.dispose([...g.grads.values()]);
    opt.dispose();
    const lp = await policy.logprobs(requestOf(samples));
    let expected = 0;
    for (let k = 0; k < samples.length; k += 5) {
      const part = samples.slice(k, k + 5);
      const l = Math.max(...part.map((s) => s.responseTokens.length));
      const r = policyLoss({
        logprobs: flat(lp.slice(k, k + 5), l),
        oldLogprobs: flat(part.map((s) => s.samplerLogprobs!), l),
        advantages: flat(part.map((s) => s.advantages), l),
        mask: flat(part.map((s) => s.lossMask), l),
        shape: [part.length, l],
      });
      expected += (part.length / samples.length) * r.loss;
    }
    expect(g.loss).toBeCloseTo(expected, 5);
  });
});

describe('update', () => {
  it('reports metrics; recomputed old log-probs give ρ = 1 on the first step; no tensor leaks across updates', async () => {
    const p = await tinyPolicy(3, { initializer_range: 0.5 }); // the weights the sampler log-probs came from
    const reference = p.frozenCopy();
    const opt = new PolicyOptimizer(p, { optimizer: { miniBatchSize: 2, microBatchSize: 3, learningRate: 1e-2, ppoEpochs: 2 }, referencePolicy: reference, loss: { klCoef: 0.01 } });
    const all: Awaited<ReturnType<PolicyOptimizer['update']>>[] = [await opt.update(samples)];
    // The first update lets the policies build their per-length tables (bounded caches); then it is flat.
    const n0 = tf.memory().numTensors;
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      all.push(await opt.update(samples));
      counts.push(tf.memory().numTensors);
    }
    expect(counts).toEqual([n0, n0, n0]);
    const m = all[0]!;
    expect(m.optimizerSteps).toBe(4); // 3 prompts / 2 per mini-batch = 2 mini-batches × 2 epochs
    expect(m.steps.map((s) => [s.epoch, s.miniBatch, s.sequences])).toEqual([[0, 0, 8], [0, 1, 4], [1, 0, 8], [1, 1, 4]]);
    expect(m.steps[0]!.tokens).toBe(samples.slice(0, 8).reduce((a, s) => a + Array.from(s.lossMask).reduce((x, y) => x + y, 0), 0));
    expect(m.microBatches).toBe(2 * (3 + 2));
    expect(m.tokens).toBe(samples.reduce((a, s) => a + Array.from(s.lossMask).reduce((x, y) => x + y, 0), 0));
    expect(m.sequences).toBe(12);
    expect(m.prompts).toBe(3);
    expect(m.lr).toBe(1e-2);
    expect(m.oldLogprobSource).toBe('recompute');
    expect(m.oldLogprobDiff!.meanAbs).toBeGreaterThan(0.2); // the sampler log-probs were perturbed by ±0.6
    expect(m.oldLogprobDiff!.max).toBeLessThanOrEqual(0.6 + 1e-6);
    expect(m.gradNorm).toBeGreaterThan(0);
    expect(m.steps.every((s) => s.clipScale <= 1)).toBe(true);
    expect(m.entropy).toBeGreaterThan(0);
    expect(m.entropy).toBeLessThanOrEqual(Math.log(16) + 1e-4);
    expect(m.kl).toBeGreaterThanOrEqual(0);
    // the first mini-batch runs at ρ = 1 (old = recomputed, nothing stepped yet); later ones moved
    expect(Number.isFinite(m.klLoss!)).toBe(true);
    expect(m.timings.backwardMs).toBeGreaterThan(0);
    expect(m.timings.totalMs).toBeGreaterThanOrEqual(m.timings.logprobsMs + m.timings.backwardMs);
    expect(all[3]!.approxKl).not.toBe(0);
    expect(opt.step).toBe(4);
    expect(opt.optimizerSteps).toBe(16);
    opt.dispose();
    reference.dispose();
    p.dispose();
  });

  it('the first mini-batch of a recompute update has ρ = 1: no clipping, approx KL ≈ 0', async () => {
    const p = await tinyPolicy(5, { initializer_range: 0.5 });
    const opt = new PolicyOptimizer(p, { optimizer: { miniBatchSize: 16, microBatchSize: 4 } });
    const m = await opt.update(samples);
    expect(m.optimizerSteps).toBe(1);
    expect(Math.abs(m.approxKl)).toBeLessThan(1e-5);
    expect(m.clipFrac + m.clipFracDual).toBe(0);
    opt.dispose();
    p.dispose();
  });

  it("sampler old log-probs: the difference metric comes from the first mini-batch's own log-probs", async () => {
    const p = await tinyPolicy(3, { initializer_range: 0.5 });
    const opt = new PolicyOptimizer(p, { loss: { oldLogprobSource: 'sampler' }, optimizer: { gradClip: 1e-3 } });
    const m = await opt.update(samples);
    expect(m.oldLogprobDiff!.meanAbs).toBeGreaterThan(0.2);
    expect(m.oldLogprobDiff!.max).toBeLessThanOrEqual(0.6 + 1e-5);
    expect(m.steps[0]!.clipScale).toBeLessThan(1); // clipped to norm 1e-3
    expect(m.clipFrac + m.clipFracDual).toBeGreaterThan(0);
    opt.dispose();
    p.dispose();
    await expect(new PolicyOptimizer(policy, { loss: { oldLogprobSource: 'sampler' } }).update(syntheticSamples(1, 2))).rejects.toThrow(
      /samples\[0\]\.samplerLogprobs = undefined \(missing\) \(expected the sampler's log-probs/,
    );
  });

  it('validates samples and options', async () => {
    const opt = new PolicyOptimizer(policy);
    await expect(opt.update([{ ...samples[0]!, lossMask: [1] }])).rejects.toThrow(/samples\[0\] \(p0-0\)\.lossMask = "1 entries"/);
    await expect(opt.update([{ ...samples[0]!, advantages: samples[0]!.responseTokens.map(() => NaN) }])).rejects.toThrow(/advantages\[0\] = NaN \(expected a finite number\)/);
    await expect(opt.update([])).rejects.toThrow(/samples is empty/);
    opt.dispose();
    expect(() => new PolicyOptimizer(policy, { loss: { klCoef: 0.1 } })).toThrow(/referencePolicy = undefined \(missing\)/);
    expect(() => new PolicyOptimizer(policy, { optimizer: { schedule: 'cosine' } })).toThrow(/totalSteps = undefined/);
    expect(() => new PolicyOptimizer(policy.frozenCopy())).toThrow(/has no trainable variables/);
  });
});

/** Wraps a policy and corrupts the `faultAt`-th scoreTokens call. */
class FaultyPolicy implements TfjsTrainablePolicy {
  readonly specificationVersion = 'v1' as const;
  calls = 0;
  constructor(
    readonly inner: TfjsPolicy,
    readonly faultAt: number,
    readonly kind: 'gradient-nan' | 'logprob-nan' | 'entropy-nan',
  ) {}
  get modelId() {
    return this.inner.modelId;
  }
  get tokenizer() {
    return this.inner.tokenizer;
  }
  generate(...args: Parameters<TfjsPolicy['generate']>) {
    return this.inner.generate(...args);
  }
  logprobs(request: ScoreRequest) {
    return this.inner.logprobs(request);
  }
  trainableVariables() {
    return this.inner.trainableVariables();
  }
  save(dir: string) {
    return this.inner.save(dir);
  }
  scoreTokens(request: ScoreRequest): TokenScores<tf.Tensor> {
    const s = this.inner.scoreTokens(request);
    if (this.calls++ !== this.faultAt) return s;
    const lp = s.logprobs;
    // gradient-nan: lp + 0·√(lp − lp) is lp forward, but √'(0) = ∞ makes the backward pass 0·∞ = NaN
    if (this.kind === 'gradient-nan') return { ...s, logprobs: tf.add(lp, tf.mul(0, tf.sqrt(tf.sub(lp, lp)))) };
    if (this.kind === 'logprob-nan') return { ...s, logprobs: tf.add(lp, NaN) };
    return { ...s, entropies: tf.add(s.entropies!, NaN) };
  }
}

/** Records the temperature of every scoring call. */
class RecordingPolicy extends FaultyPolicy {
  temperatures: Array<[string, number | undefined]> = [];
  constructor(inner: TfjsPolicy) {
    super(inner, -1, 'gradient-nan');
  }
  override logprobs(request: ScoreRequest) {
    this.temperatures.push(['logprobs', request.temperature]);
    return super.logprobs(request);
  }
  override scoreTokens(request: ScoreRequest): TokenScores<tf.Tensor> {
    this.temperatures.push(['scoreTokens', request.temperature]);
    return super.scoreTokens(request);
  }
}

describe('scoreTemperature', () => {
  it('scores old and current log-probs of the RL update at the rollout temperature, the SFT loss at 1', async () => {
    const inner = await tinyPolicy(3, { initializer_range: 0.5 });
    const recording = new RecordingPolicy(inner);
    const opt = new PolicyOptimizer(recording, { scoreTemperature: 0.7, optimizer: { miniBatchSize: 16, microBatchSize: 16, learningRate: 1e-2 } });
    const m = await opt.update(samples);
    expect(recording.temperatures).toEqual([
      ['logprobs', 0.7],
      ['scoreTokens', 0.7],
    ]);
    // recomputed old log-probs at the same T: ρ = 1 on the first mini-batch, nothing clipped, approx KL ≈ 0
    expect(Math.abs(m.approxKl)).toBeLessThan(1e-5);
    expect(m.clipFrac + m.clipFracDual).toBe(0);
    recording.temperatures = [];
    await opt.sftStep(samples.map((x) => ({ id: 'x', promptTokens: x.promptTokens, responseTokens: x.responseTokens, lossMask: Array.from(x.responseTokens, () => 1) })));
    expect(recording.temperatures).toEqual([['scoreTokens', undefined]]);
    opt.dispose();
    inner.dispose();
  });
});

/** Runs the policy on the batch shapes of `opt` once, so its per-length tables exist before counting tensors. */
async function warm(inner: TfjsPolicy, opt: PolicyOptimizer): Promise<void> {
  await inner.logprobs(requestOf(samples));
  const o = new PolicyOptimizer(inner, { optimizer: { microBatchSize: opt.config.microBatchSize } });
  const g = await o.gradients(samples);
  tf.dispose([...g.grads.values()]);
  o.dispose();
}

describe('NaN guard', () => {
  it('a NaN gradient in micro-batch 1 stops the update before any weight changes', async () => {
    const inner = await tinyPolicy(3, { initializer_range: 0.5 });
    const faulty = new FaultyPolicy(inner, 1, 'gradient-nan');
    const opt = new PolicyOptimizer(faulty, { optimizer: { miniBatchSize: 16, microBatchSize: 4, learningRate: 1e-2 } });
    await warm(inner, opt);
    const before = snapshotWeights(inner);
    const n0 = tf.memory().numTensors;
    const error = await opt.update(samples).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).message).toMatch(/^gradient of \S+ is NaN in micro-batch 1 of mini-batch 0 of epoch 0; the update was stopped and the weights are unchanged$/);
    expect((error as NonFiniteError).location).toEqual({ epoch: 0, miniBatch: 0, microBatch: 1 });
    expect(maxWeightDiff(before, snapshotWeights(inner))).toBe(0);
    expect(opt.optimizerSteps).toBe(0);
    expect(opt.step).toBe(0);
    expect(tf.memory().numTensors).toBe(n0);
    // the optimizer is still usable
    await opt.update(samples);
    expect(opt.optimizerSteps).toBe(1);
    opt.dispose();
    inner.dispose();
  });

  it('a NaN loss in a later mini-batch rolls back the steps already taken (weights and AdamW state)', async () => {
    const inner = await tinyPolicy(3, { initializer_range: 0.5 });
    // mini-batches of 1 prompt × 4 sequences, micro-batches of 2: calls 0–1 are mini-batch 0, call 2 is mini-batch 1
    const faulty = new FaultyPolicy(inner, 2, 'entropy-nan');
    const opt = new PolicyOptimizer(faulty, { optimizer: { miniBatchSize: 1, microBatchSize: 2, learningRate: 1e-2 }, loss: { entropyCoef: 0.01 } });
    await warm(inner, opt);
    const before = snapshotWeights(inner);
    const n0 = tf.memory().numTensors;
    const error = await opt.update(samples).catch((e: unknown) => e);
    expect((error as Error).message).toBe('loss is NaN in micro-batch 0 of mini-batch 1 of epoch 0; the update was stopped and the weights are unchanged');
    expect(maxWeightDiff(before, snapshotWeights(inner))).toBe(0);
    expect(opt.optimizerSteps).toBe(0);
    expect(tf.memory().numTensors).toBe(n0);
    opt.dispose();
    inner.dispose();
  });

  it('NaN log-probs are caught even where the clipped loss would hide them (wasm clipByValue maps NaN to a bound)', async () => {
    const inner = await tinyPolicy(3, { initializer_range: 0.5 });
    const opt = new PolicyOptimizer(new FaultyPolicy(inner, 0, 'logprob-nan'));
    const before = snapshotWeights(inner);
    await expect(opt.update(samples)).rejects.toThrow(/^log πθ of a trained token \(\S+ scoreTokens\) is NaN in micro-batch 0 of mini-batch 0 of epoch 0/);
    expect(maxWeightDiff(before, snapshotWeights(inner))).toBe(0);
    opt.dispose();
    inner.dispose();
  });
});

describe('sftStep, schedules and policySamples', () => {
  it('sftStep: micro-batches of 1 give the same loss and step as one micro-batch of 3', async () => {
    const batch = syntheticSamples(1, 3, 21).map(({ promptTokens, responseTokens, lossMask }) => ({ promptTokens, responseTokens, lossMask }));
    const out: { loss: number; w: Float32Array[] }[] = [];
    for (const microBatchSize of [3, 1]) {
      const p = await tinyPolicy(4, { initializer_range: 0.5 });
      const opt = new PolicyOptimizer(p, { optimizer: { microBatchSize, learningRate: 1e-3, epsilon: 1e-3 } });
      const m = await opt.sftStep(batch);
      expect(m.microBatches).toBe(3 / microBatchSize);
      expect(m.tokens).toBe(batch.reduce((a, s) => a + Array.from(s.lossMask).reduce((x, y) => x + y, 0), 0));
      out.push({ loss: m.loss, w: snapshotWeights(p) });
      opt.dispose();
      p.dispose();
    }
    expect(out[1]!.loss).toBeCloseTo(out[0]!.loss, 6);
    expect(maxWeightDiff(out[0]!.w, out[1]!.w)).toBeLessThan(1e-5);
  });

  it('cosine with warm-up: one schedule step per update', async () => {
    const p = await tinyPolicy(4);
    const opt = new PolicyOptimizer(p, { optimizer: { learningRate: 1e-3, schedule: 'cosine', warmupRatio: 0.25 }, totalSteps: 4 });
    const lrs: number[] = [];
    for (let i = 0; i < 4; i++) lrs.push((await opt.update(syntheticSamples(1, 2))).lr);
    // W = 1: [0, lr, lr·½(1 + cos(π/3)), lr·½(1 + cos(2π/3))]
    expect(lrs[0]).toBe(0);
    expect(lrs[1]).toBeCloseTo(1e-3, 12);
    expect(lrs[2]).toBeCloseTo(0.75e-3, 12);
    expect(lrs[3]).toBeCloseTo(0.25e-3, 12);
    expect(opt.learningRate()).toBeCloseTo(0, 12);
    opt.dispose();
    p.dispose();
  });

  it('policySamples joins groups with computeAdvantages output and checks alignment', () => {
    const t = (id: string) => ({ id, promptId: 'q', promptTokens: [1, 3], responseTokens: [4, 5], lossMask: [1, 0], samplerLogprobs: [-1, 0] });
    const groups = [{ promptId: 'q', trajectories: [t('a'), t('b')] }];
    const adv = [{ trajectories: [{ id: 'a', advantages: Float32Array.of(1, 0) }, { id: 'b', advantages: Float32Array.of(-1, 0) }] }];
    const s = policySamples(groups, adv);
    expect(s.map((x) => [x.id, x.promptId, Array.from(x.advantages), x.samplerLogprobs])).toEqual([
      ['a', 'q', [1, 0], [-1, 0]],
      ['b', 'q', [-1, 0], [-1, 0]],
    ]);
    expect(() => policySamples(groups, [{ trajectories: [adv[0]!.trajectories[1]!, adv[0]!.trajectories[0]!] }])).toThrow(
      /advantages\[0\]\.trajectories\[0\]\.id = "b" \(expected "a"/,
    );
    expect(() => policySamples(groups, [])).toThrow(/advantages = "0 groups"/);
  });
});
