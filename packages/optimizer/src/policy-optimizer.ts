import * as tf from '@tensorflow/tfjs';
import {
  ArpoConfigError,
  ArpoError,
  parseLossConfig,
  parseOptimizerConfig,
  type LossAggregation,
  type LossConfig,
  type LossConfigInput,
  type OptimizerConfig,
  type OptimizerConfigInput,
  type ScoreRequest,
  type TokenScores,
  type TrainablePolicy,
} from '@arpo/core';
import { AdamW, type AdamWState } from './adamw.js';
import { accumulateGradients, type AccumulateInput, type Accumulated, type MicroGradient, type MicroInput } from './gradient-accumulator.js';
import { shardMicroBatches } from './gradient-shards.js';
import { ReplicaPool } from './replica-pool.js';
import { lossBuilder, type LossSpec } from './loss-builders.js';
import { isReplicablePolicy, type ReplicablePolicy } from './replicable-policy.js';
import { aggregationScope, aggregationWeights, lossAggregations, type AggregationScope } from './aggregation.js';
import { planMiniBatches, splitMicroBatches } from './batch-plan.js';
import { klEstimators } from './kl-estimators.js';
import { learningRateAt } from './lr-schedule.js';
import { NonFiniteError, type NonFiniteLocation } from './non-finite-error.js';
import { POLICY_STAT_INDEX, POLICY_STATS, policyMetricsFromStats } from './policy-loss.js';
import { policyLosses } from './policy-losses.js';
import { validateSamples, type PolicySample, type SftSample } from './policy-sample.js';
import type { OldLogprobDiff, SftMetrics, StepMetrics, UpdateMetrics } from './update-metrics.js';

/** A `TrainablePolicy` on tfjs (e.g. `@arpo/policy-tfjs`'s `TfjsPolicy`). */
/** What {@link PolicyOptimizer.exportState} returns. */
export interface PolicyOptimizerState {
  /** Training steps done (the learning-rate schedule's position). */
  scheduleStep: number;
  adam: AdamWState;
}

export type TfjsTrainablePolicy = TrainablePolicy<tf.Tensor, tf.Variable>;

/** Where reference log-probs come from (e.g. `policy.frozenCopy()`); needed when `klCoef > 0`. */
export interface ReferencePolicy {
  logprobs(request: ScoreRequest): Promise<number[][]>;
}

/**
 * How micro-batch losses are weighted inside a mini-batch.
 * - `exact` (default): every micro-batch aggregates with the totals of the whole mini-batch (B, T, N), so
 *   the accumulated gradient equals the gradient of the mini-batch loss computed in one pass.
 * - `per-micro-batch`: verl's `use_dynamic_bsz` behaviour (spec §5): each micro-batch aggregates over
 *   itself and is scaled by its sequences / the mini-batch's sequences.
 */
export type MicroBatchScaling = 'exact' | 'per-micro-batch';

/** Options of {@link PolicyOptimizer}. */
export interface PolicyOptimizerOptions {
  /**
   * The loss (`LossConfig` input; reference defaults: `dual-clip`, ε 0.2 / 0.2, c 3, token-mean, KL k3 × 0, entropy × 0,
   * entropy-aware advantage off, recompute). With `entropyAdvantageWeight` > 0 the z-score of H is taken per
   * micro-batch, so the update depends on `microBatchSize` (as in the reference).
   */
  loss?: LossConfigInput;
  /** The optimizer (`OptimizerConfig` input; reference: AdamW lr 1e-6, wd 0.01, constant, clip 1.0, 16 prompts per mini-batch). */
  optimizer?: OptimizerConfigInput;
  /** Training steps (update / sftStep calls) of the whole run; needed by `cosine` and by `warmupRatio > 0`. */
  totalSteps?: number;
  /**
   * The rollout temperature T: old, reference and current log-probs of the RL update are scored under
   * softmax(z / T), as the reference does (verl divides the logits by the rollout temperature). Default: the
   * policy's own setting. Not used by the SFT loss.
   */
  scoreTemperature?: number;
  /** Reference policy for the KL term (and the `kl` metric when set). */
  referencePolicy?: ReferencePolicy;
  /** See {@link MicroBatchScaling}. Default `exact`. */
  microBatchScaling?: MicroBatchScaling;
  /**
   * Ask the policy for entropies (the `entropy` metric) even when `entropyCoef` and `entropyAdvantageWeight` are 0
   * (either one > 0 asks for them anyway). Default true.
   */
  entropyMetric?: boolean;
  /**
   * When an update of several optimizer steps fails (a NaN in a later mini-batch, or any error), put the
   * weights and AdamW state back as they were before the update. Costs a copy of the weights and moments
   * per multi-step update. Default true.
   */
  rollbackOnError?: boolean;
  /**
   * Gradient lanes: the main thread plus `workers − 1` worker threads, each with a replica of the policy (which
   * must be a {@link ReplicablePolicy}, e.g. `TfjsPolicy`). Micro-batches (and the recomputed old log-probs) are
   * split over the lanes; every micro-batch gradient is summed on the main thread in micro-batch order, so the
   * update is the same for any number of lanes. Only micro-batches run in parallel: use a `microBatchSize` that
   * gives at least one per lane. Default 1 (no workers). Call {@link PolicyOptimizer.dispose} to stop the workers.
   */
  workers?: number;
  /** A module each gradient worker imports first (e.g. to register custom components by name). */
  workerSetupModule?: string;
  /**
   * A started pool of replicas of this policy to use instead of starting one (`workers` is then its threads + 1),
   * e.g. shared with the rollouts' `createParallelPolicy`. The caller disposes it.
   */
  pool?: ReplicaPool;
}

/** What {@link PolicyOptimizer.gradients} returns; the caller disposes `grads`. */
export interface GradientResult {
  /** Accumulated gradient per variable name (variables without a gradient are absent). */
  grads: Map<string, tf.Tensor>;
  /** The aggregated loss of the batch. */
  loss: number;
  /** Global L2 norm of the gradient. */
  gradNorm: number;
  microBatches: number;
}

interface Prepared {
  old: ArrayLike<number>[];
  ref: ArrayLike<number>[] | undefined;
  diff: OldLogprobDiff | undefined;
  normalizer: number;
  logprobsMs: number;
}

const now = (): number => performance.now();
const STAT_COUNT = POLICY_STATS.length;

/**
 * The ARPO policy update (spec §5; verl `dp_actor.update_policy`) for any tfjs {@link TrainablePolicy}:
 * old log-probs recomputed by the policy (or the sampler's), PPO mini-batches of `miniBatchSize` prompts ×
 * their sequences, micro-batches of `microBatchSize` sequences with exact gradient accumulation, the
 * clipped surrogate with dual-clip + KL + entropy terms, global grad-norm clipping and AdamW, `ppoEpochs`
 * passes; and the SFT (cold-start) step. Any NaN / ±Infinity in a loss or gradient stops the update before
 * a weight changes ({@link NonFiniteError}).
 */
export class PolicyOptimizer {
  readonly lossConfig: LossConfig;
  readonly config: OptimizerConfig;
  readonly totalSteps: number | undefined;
  private readonly variables: tf.Variable[];
  private readonly adam: AdamW;
  private readonly reference: ReferencePolicy | undefined;
  private readonly scaling: MicroBatchScaling;
  private readonly entropyMetric: boolean;
  private readonly scoreTemperature: number | undefined;
  private readonly rollback: boolean;
  private readonly workers: number;
  private readonly workerSetupModule: string | undefined;
  private pool: Promise<ReplicaPool> | undefined;
  private ownsPool = true;
  private scheduleStep = 0;
  /** Whether the last accumulation got entropies from the policy (the `entropy` metric). */
  private lastHadEntropy = false;
  private disposed = false;

  constructor(
    readonly policy: TfjsTrainablePolicy,
    options: PolicyOptimizerOptions = {},
  ) {
    this.lossConfig = parseLossConfig(options.loss ?? {});
    // Unknown names fail here, before any step (registered in this thread; workers need `workerSetupModule`).
    lossAggregations.get(this.lossConfig.aggregation);
    policyLosses.get(this.lossConfig.policyLoss);
    klEstimators.get(this.lossConfig.klEstimator);
    this.config = parseOptimizerConfig(options.optimizer ?? {});
    this.totalSteps = options.totalSteps;
    if (this.totalSteps !== undefined && !(Number.isInteger(this.totalSteps) && this.totalSteps >= 1)) {
      throw new ArpoConfigError('policy optimizer options', [{ field: 'totalSteps', value: this.totalSteps, expected: 'an integer >= 1' }]);
    }
    if ((this.config.schedule === 'cosine' || this.config.warmupRatio > 0) && this.totalSteps === undefined) {
      throw new ArpoConfigError('policy optimizer options', [
        { field: 'totalSteps', value: undefined, expected: `the number of training steps (schedule ${this.config.schedule}, warmupRatio ${this.config.warmupRatio} need it)` },
      ]);
    }
    if (this.lossConfig.klCoef > 0 && !options.referencePolicy) {
      throw new ArpoConfigError('policy optimizer options', [
        { field: 'referencePolicy', value: undefined, expected: `a reference policy (loss.klCoef = ${this.lossConfig.klCoef})` },
      ]);
    }
    this.variables = policy.trainableVariables();
    if (this.variables.length === 0) throw new ArpoError(`PolicyOptimizer: ${policy.modelId} has no trainable variables`);
    this.adam = new AdamW(this.variables, this.config);
    this.reference = options.referencePolicy;
    this.scaling = options.microBatchScaling ?? 'exact';
    this.entropyMetric = options.entropyMetric ?? true;
    this.scoreTemperature = options.scoreTemperature;
    this.rollback = options.rollbackOnError ?? true;
    if (options.pool && options.workers !== undefined && options.workers !== options.pool.threads + 1) {
      throw new ArpoConfigError('policy optimizer options', [{ field: 'workers', value: options.workers, expected: `${options.pool.threads + 1} (the pool's threads + 1) or unset` }]);
    }
    this.workers = options.pool ? options.pool.threads + 1 : (options.workers ?? 1);
    if (options.pool) {
      this.pool = Promise.resolve(options.pool);
      this.ownsPool = false;
    }
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new ArpoConfigError('policy optimizer options', [{ field: 'workers', value: options.workers, expected: 'an integer >= 1' }]);
    }
    if (this.workers > 1 && !isReplicablePolicy(policy)) {
      throw new ArpoConfigError('policy optimizer options', [
        { field: 'workers', value: this.workers, expected: `1: ${policy.modelId} has no replicaSpec() (a ReplicablePolicy such as TfjsPolicy is needed for worker threads)` },
      ]);
    }
    this.workerSetupModule = options.workerSetupModule;
  }

  /** Gradient lanes (main thread + worker threads). */
  get lanes(): number {
    return this.workers;
  }

  /**
   * The pool of replica workers this optimizer computes with (started on first use; undefined with one lane), e.g.
   * to spread the rollouts over the same workers with `createParallelPolicy`.
   */
  replicaPool(): Promise<ReplicaPool> | undefined {
    this.checkAlive();
    return this.workers > 1 ? this.startPool() : undefined;
  }

  /** Training steps done (update / sftStep calls that succeeded): the schedule's position. */
  get step(): number {
    return this.scheduleStep;
  }

  /** AdamW steps done (one per mini-batch per epoch). */
  get optimizerSteps(): number {
    return this.adam.step;
  }

  /** The learning rate the next update will use. */
  learningRate(): number {
    return learningRateAt(this.scheduleStep, this.config, this.totalSteps);
  }

  /**
   * One RL training step over a rollout batch (e.g. `policySamples(groups, advantages)`): for each of
   * `ppoEpochs` epochs and each mini-batch of `miniBatchSize` prompts, accumulate the gradient of the
   * policy loss over micro-batches, clip its global norm to `gradClip`, and take one AdamW step.
   * @throws NonFiniteError (weights and optimizer state unchanged), ArpoConfigError for bad samples.
   */
  async update(samples: readonly PolicySample[]): Promise<UpdateMetrics> {
    this.checkAlive();
    const tStart = now();
    const prepared = await this.prepare(samples);
    const plan = planMiniBatches(samples, this.config.miniBatchSize, this.config.microBatchSize);
    const epochs = this.config.ppoEpochs;
    const lr = this.learningRate();
    const snapshot = this.rollback && plan.length * epochs > 1 ? this.adam.snapshot() : undefined;
    const totals = new Float64Array(STAT_COUNT);
    const steps: StepMetrics[] = [];
    const stepLoss = { loss: 0, pgLoss: 0, klLoss: 0, entropyLoss: 0 };
    let backwardMs = 0;
    let optimizerMs = 0;
    let microBatches = 0;
    let diff = prepared.diff;
    const measureDiff = this.lossConfig.oldLogprobSource === 'sampler';
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        for (let k = 0; k < plan.length; k++) {
          const mini = plan[k]!;
          const at = { epoch, miniBatch: k };
          const measure = measureDiff && epoch === 0 && k === 0;
          const t0 = now();
          const acc = await this.policyGradients(samples, prepared, mini.samples, mini.microBatches, at, measure);
          const t1 = now();
          backwardMs += t1 - t0;
          microBatches += acc.ran;
          const s = acc.sums;
          const S = POLICY_STAT_INDEX;
          for (let i = 0; i < STAT_COUNT; i++) totals[i]! += s[i]!;
          stepLoss.loss += s[S.loss]!;
          stepLoss.pgLoss += s[S.pgLoss]!;
          stepLoss.klLoss += s[S.klLoss]!;
          stepLoss.entropyLoss += s[S.entropyLoss]!;
          if (measure) {
            const n = s[S.tokens]!;
            diff = { meanAbs: n > 0 ? s[STAT_COUNT]! / n : 0, max: acc.maxima[0] ?? 0, tokens: n };
          }
          const { gradNorm, clipScale } = this.applyStep(acc, lr, at);
          optimizerMs += now() - t1;
          steps.push({ epoch, miniBatch: k, loss: s[S.loss]!, gradNorm, clipScale, lr, sequences: mini.samples.length, tokens: s[S.tokens]! });
        }
      }
    } catch (error) {
      if (snapshot) this.adam.restore(snapshot);
      throw error;
    } finally {
      if (snapshot) AdamW.disposeSnapshot(snapshot);
    }
    this.scheduleStep += 1;
    const nSteps = steps.length;
    const withKl = prepared.ref !== undefined;
    const withEntropy = totals[POLICY_STAT_INDEX.tokens]! > 0 && this.lastHadEntropy;
    const metrics = policyMetricsFromStats(totals, { withKl, withEntropy });
    const out: UpdateMetrics = {
      loss: stepLoss.loss / nSteps,
      pgLoss: stepLoss.pgLoss / nSteps,
      clipFracLow: metrics.clipFracLow,
      clipFracHigh: metrics.clipFracHigh,
      clipFracDual: metrics.clipFracDual,
      clipFrac: metrics.clipFrac,
      approxKl: metrics.approxKl,
      gradNorm: steps.reduce((a, x) => a + x.gradNorm, 0) / nSteps,
      gradNormMax: Math.max(...steps.map((x) => x.gradNorm)),
      lr,
      tokens: samples.reduce((a, x) => a + sumOf(x.lossMask), 0),
      responseTokens: samples.reduce((a, x) => a + x.responseTokens.length, 0),
      sequences: samples.length,
      prompts: new Set(samples.map((x) => x.promptId)).size,
      optimizerSteps: nSteps,
      microBatches,
      oldLogprobSource: this.lossConfig.oldLogprobSource,
      steps,
      timings: { logprobsMs: prepared.logprobsMs, backwardMs, optimizerMs, totalMs: now() - tStart },
    };
    if (withKl) {
      out.klLoss = stepLoss.klLoss / nSteps;
      out.kl = metrics.kl!;
    }
    if (withEntropy) {
      out.entropyLoss = stepLoss.entropyLoss / nSteps;
      out.entropy = metrics.entropy!;
    }
    if (diff) out.oldLogprobDiff = diff;
    return out;
  }

  /**
   * The gradient of the policy loss of `samples` taken as ONE mini-batch (micro-batched as configured;
   * old / reference log-probs as in {@link update}), without stepping. For inspection and tests; the
   * caller disposes the returned tensors.
   */
  async gradients(samples: readonly PolicySample[]): Promise<GradientResult> {
    this.checkAlive();
    const prepared = await this.prepare(samples);
    const all = samples.map((_, i) => i);
    const acc = await this.policyGradients(samples, prepared, all, splitMicroBatches(all, this.config.microBatchSize), {}, false);
    const grads = new Map<string, tf.Tensor>();
    acc.grads.forEach((g, i) => {
      if (g) grads.set(this.variables[i]!.name, g);
    });
    return { grads, loss: acc.sums[POLICY_STAT_INDEX.loss]!, gradNorm: Math.sqrt(acc.sumSquares), microBatches: acc.ran };
  }

  /**
   * One SFT (cold-start) optimizer step over `samples` (spec §7.1): the masked negative log-likelihood of the
   * model tokens (loss mask 1; tool results excluded), token-mean over all samples by default, accumulated
   * exactly over micro-batches of `microBatchSize`, clipped to `gradClip`, AdamW at the scheduled rate.
   * @throws NonFiniteError (weights unchanged).
   */
  async sftStep(samples: readonly SftSample[], options: { aggregation?: LossAggregation; aggregationNormalizer?: number } = {}): Promise<SftMetrics> {
    this.checkAlive();
    const tStart = now();
    if (samples.length === 0) throw new ArpoError('sftStep: samples is empty (expected at least one sequence)');
    validateSamples('SFT batch', samples);
    const mode = options.aggregation ?? 'token-mean';
    const normalizer = options.aggregationNormalizer ?? Math.max(1, ...samples.map((s) => s.responseTokens.length));
    const all = samples.map((_, i) => i);
    const masks = samples.map((s) => s.lossMask);
    const scope = this.scopeOf(all, masks, normalizer);
    const micros = splitMicroBatches(all, this.config.microBatchSize)
      .map((idx, j) => this.microInput(samples, idx, j, { masks, mode, scope, normalizer, miniSequences: all.length }))
      .filter((m) => m.tokens > 0);
    const lr = this.learningRate();
    const t0 = now();
    const acc = await this.accumulate(micros, false, { kind: 'sft' }, {}, 2);
    const t1 = now();
    const { gradNorm, clipScale } = this.applyStep(acc, lr, {});
    const t2 = now();
    this.scheduleStep += 1;
    return {
      loss: acc.sums[0]!,
      gradNorm,
      clipScale,
      lr,
      tokens: acc.sums[1]!,
      sequences: samples.length,
      microBatches: acc.ran,
      timings: { logprobsMs: 0, backwardMs: t1 - t0, optimizerMs: t2 - t1, totalMs: t2 - tStart },
    };
  }

  /** Schedule position and AdamW state, for checkpoints (the weights are saved with the policy). */
  exportState(): PolicyOptimizerState {
    this.checkAlive();
    return { scheduleStep: this.scheduleStep, adam: this.adam.exportState() };
  }

  /** Continues from {@link exportState}'s output: the next update is the one the saved optimizer would have made. */
  importState(state: PolicyOptimizerState): void {
    this.checkAlive();
    if (!Number.isInteger(state.scheduleStep) || state.scheduleStep < 0) {
      throw new ArpoError(`PolicyOptimizer.importState: scheduleStep = ${state.scheduleStep} (expected an integer >= 0)`);
    }
    this.adam.importState(state.adam);
    this.scheduleStep = state.scheduleStep;
  }

  /** Frees AdamW's moments (not the policy) and stops the gradient workers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.adam.dispose();
    const pool = this.pool;
    this.pool = undefined;
    if (this.ownsPool) void pool?.then((p) => p.dispose(), () => undefined);
  }

  // ---------------------------------------------------------------------------------------------------

  /** Validates, and computes old (and reference) log-probs for the whole batch before any step. */
  private async prepare(samples: readonly PolicySample[]): Promise<Prepared> {
    if (samples.length === 0) throw new ArpoError('PolicyOptimizer: samples is empty (expected at least one sequence)');
    validateSamples('policy update batch', samples);
    const t0 = now();
    const sequences = samples.map((s) => ({ promptTokens: s.promptTokens, responseTokens: s.responseTokens }));
    let old: ArrayLike<number>[];
    let diff: OldLogprobDiff | undefined;
    if (this.lossConfig.oldLogprobSource === 'recompute') {
      old = await this.parallelLogprobs(sequences);
      checkRows('old log-prob (recomputed by the policy)', old, samples);
      diff = samplerDiff(old, samples);
    } else {
      const missing = samples.findIndex((s) => s.samplerLogprobs === undefined);
      if (missing >= 0) {
        throw new ArpoConfigError('policy update batch', [
          { field: `samples[${missing}].samplerLogprobs`, value: undefined, expected: "the sampler's log-probs (loss.oldLogprobSource is 'sampler')" },
        ]);
      }
      old = samples.map((s) => s.samplerLogprobs!);
    }
    let ref: ArrayLike<number>[] | undefined;
    if (this.reference) {
      ref = await this.reference.logprobs({ sequences, ...this.temperatureField() });
      checkRows('reference log-prob', ref, samples);
    }
    const normalizer = this.lossConfig.aggregationNormalizer ?? Math.max(1, ...samples.map((s) => s.responseTokens.length));
    return { old, ref, diff, normalizer, logprobsMs: now() - t0 };
  }

  private scopeOf(indices: readonly number[], masks: readonly ArrayLike<number>[], normalizer: number): AggregationScope {
    let tokens = 0;
    for (const i of indices) tokens += sumOf(masks[i]!);
    return { sequences: indices.length, tokens, normalizer };
  }

  /** Right-padded host arrays of one micro-batch, with its aggregation weights. */
  private microInput(
    samples: readonly (SftSample & { advantages?: ArrayLike<number> })[],
    indices: readonly number[],
    index: number,
    ctx: {
      masks: readonly ArrayLike<number>[];
      mode: LossAggregation;
      scope: AggregationScope;
      normalizer: number;
      miniSequences: number;
      old?: readonly ArrayLike<number>[];
      ref?: readonly ArrayLike<number>[] | undefined;
    },
  ): MicroInput {
    const b = indices.length;
    const l = Math.max(0, ...indices.map((i) => samples[i]!.responseTokens.length));
    const mask = new Float32Array(b * l);
    const adv = ctx.old ? new Float32Array(b * l) : undefined;
    const old = ctx.old ? new Float32Array(b * l) : undefined;
    const ref = ctx.ref ? new Float32Array(b * l) : undefined;
    indices.forEach((si, r) => {
      const s = samples[si]!;
      const n = s.responseTokens.length;
      const m = ctx.masks[si]!;
      for (let t = 0; t < n; t++) {
        mask[r * l + t] = m[t]!;
        if (adv) adv[r * l + t] = s.advantages![t]!;
        if (old) old[r * l + t] = ctx.old![si]![t]!;
        if (ref) ref[r * l + t] = ctx.ref![si]![t]!;
      }
    });
    const shape: [number, number] = [b, l];
    let w: Float64Array;
    if (this.scaling === 'exact') w = aggregationWeights(mask, shape, ctx.mode, ctx.scope);
    else {
      w = aggregationWeights(mask, shape, ctx.mode, aggregationScope(mask, shape, ctx.normalizer));
      const share = b / ctx.miniSequences;
      for (let i = 0; i < w.length; i++) w[i]! *= share;
    }
    const input: MicroInput = {
      index,
      sequences: indices.map((i) => ({ promptTokens: samples[i]!.promptTokens, responseTokens: samples[i]!.responseTokens })),
      shape,
      mask,
      weights: Float32Array.from(w),
      tokens: sumOf(mask),
    };
    if (adv) input.advantages = adv;
    if (old) input.old = old;
    if (ref) input.ref = ref;
    return input;
  }

  /** Accumulated policy-loss gradient of one mini-batch. */
  private async policyGradients(
    samples: readonly PolicySample[],
    prepared: Prepared,
    members: readonly number[],
    microBatches: readonly (readonly number[])[],
    at: NonFiniteLocation,
    measureDiff: boolean,
  ): Promise<Accumulated> {
    const masks = samples.map((s) => s.lossMask);
    const ctx = {
      masks,
      mode: this.lossConfig.aggregation,
      scope: this.scopeOf(members, masks, prepared.normalizer),
      normalizer: prepared.normalizer,
      miniSequences: members.length,
      old: prepared.old,
      ref: prepared.ref,
    };
    const micros = microBatches.map((idx, j) => this.microInput(samples, idx, j, ctx)).filter((m) => m.tokens > 0);
    // H is needed by the entropy bonus and by AEPO's entropy-aware advantage (a > 0), whatever `entropyMetric` says.
    const withEntropy = this.entropyMetric || this.lossConfig.entropyCoef > 0 || this.lossConfig.entropyAdvantageWeight > 0;
    return this.accumulate(
      micros,
      withEntropy,
      { kind: 'policy', loss: this.lossConfig, measureDiff },
      at,
      measureDiff ? STAT_COUNT + 1 : STAT_COUNT,
      this.temperatureField(),
    );
  }

  /** `{ temperature: T }` of the RL scoring calls when `scoreTemperature` is set, else nothing (the policy's own). */
  private temperatureField(): { temperature?: number } {
    return this.scoreTemperature === undefined ? {} : { temperature: this.scoreTemperature };
  }

  /**
   * The policy's no-grad log-probs of `sequences` (old log-probs, `recompute`): with several lanes split into
   * contiguous runs balanced by length, the first scored here and the others on the workers at the same time.
   */
  private async parallelLogprobs(sequences: ScoreRequest['sequences']): Promise<number[][]> {
    const request = (s: ScoreRequest['sequences']): ScoreRequest => ({ sequences: s, ...this.temperatureField() });
    if (this.workers === 1 || sequences.length < 2) return this.policy.logprobs(request(sequences));
    const pool = await this.startPool();
    // Whole scoring chunks per lane: a sequence's log-probs then come from the same batch as with one lane.
    const chunk = Math.max(1, (this.policy as Partial<ReplicablePolicy>).scoreBatchSize ?? 1);
    const chunks: ScoreRequest['sequences'][] = [];
    for (let i = 0; i < sequences.length; i += chunk) chunks.push(sequences.slice(i, i + chunk));
    const shape = (c: ScoreRequest['sequences']): [number, number] => [c.length, Math.max(...c.map((s) => s.promptTokens.length + s.responseTokens.length))];
    const runs = shardMicroBatches(chunks.map((c) => ({ shape: shape(c) })), this.workers).map((run) => run.flatMap((i) => chunks[i]!));
    const remote = pool.logprobs(runs.slice(1), this.scoreTemperature);
    const mine = await this.policy.logprobs(request(runs[0]!)).catch(async (error: unknown) => {
      await remote.catch(() => undefined);
      throw error;
    });
    return [mine, ...(await remote)].flat();
  }

  private startPool(): Promise<ReplicaPool> {
    if (!this.pool) {
      const options: Parameters<typeof ReplicaPool.start>[0] = { policy: this.policy as ReplicablePolicy, threads: this.workers - 1 };
      if (this.workerSetupModule) options.setupModule = this.workerSetupModule;
      this.pool = ReplicaPool.start(options);
      this.pool.catch(() => undefined);
    }
    return this.pool;
  }

  /**
   * {@link accumulateGradients} over this optimizer's policy and variables. With several lanes the micro-batches are
   * split into contiguous runs: the first is computed here while the workers compute the others, and every
   * micro-batch's gradient is summed here in micro-batch order, so the result is the same for any number of lanes.
   * Remembers whether entropies came back.
   */
  private async accumulate(micros: readonly MicroInput[], withEntropy: boolean, loss: LossSpec, at: NonFiniteLocation, sumCount: number, score: { temperature?: number } = {}): Promise<Accumulated> {
    const input: AccumulateInput = { policy: this.policy, variables: this.variables, micros, withEntropy, build: lossBuilder(loss), at, sumCount, score };
    if (this.workers > 1 && micros.length > 1) {
      const pool = await this.startPool();
      const others = shardMicroBatches(micros, this.workers).slice(1);
      const replies = pool.gradients(
        others.map((run) => run.map((k) => micros[k]!)),
        { loss, withEntropy, sumCount, score },
      );
      const remote = new Map<number, Promise<MicroGradient>>();
      others.forEach((run, w) => run.forEach((k, j) => remote.set(k, replies[w]![j]!)));
      input.remote = remote;
    }
    const acc = await accumulateGradients(input);
    this.lastHadEntropy = acc.hadEntropy;
    return acc;
  }

  /** Global norm, clip factor (torch `clip_grad_norm_`) and one AdamW step; disposes the gradients. */
  private applyStep(acc: Accumulated, lr: number, at: NonFiniteLocation): { gradNorm: number; clipScale: number } {
    try {
      const gradNorm = Math.sqrt(acc.sumSquares);
      if (!Number.isFinite(gradNorm)) throw new NonFiniteError('global gradient norm', gradNorm, at);
      const clip = this.config.gradClip;
      const clipScale = clip > 0 ? Math.min(1, clip / (gradNorm + 1e-6)) : 1;
      this.adam.apply(acc.grads, lr, clipScale);
      return { gradNorm, clipScale };
    } finally {
      tf.dispose(acc.grads.filter((g): g is tf.Tensor => g !== undefined));
    }
  }

  private checkAlive(): void {
    if (this.disposed) throw new ArpoError('PolicyOptimizer: optimizer was disposed');
  }
}


function sumOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

/** Row count, row lengths and finiteness of per-sequence log-probs returned by a policy. */
function checkRows(what: string, rows: readonly ArrayLike<number>[], samples: readonly PolicySample[]): void {
  if (rows.length !== samples.length) throw new ArpoError(`${what}: ${rows.length} rows (expected ${samples.length}, one per sample)`);
  rows.forEach((row, i) => {
    const n = samples[i]!.responseTokens.length;
    if (row.length !== n) throw new ArpoError(`${what}: row ${i} has ${row.length} entries (expected ${n}, one per response token)`);
    for (let t = 0; t < n; t++) {
      if (!Number.isFinite(row[t]!)) throw new NonFiniteError(`${what} of samples[${i}]${samples[i]!.id ? ` (${samples[i]!.id})` : ''} at response position ${t}`, row[t]!);
    }
  });
}

/** |old − sampler| over trained tokens of samples that carry sampler log-probs. */
function samplerDiff(old: readonly ArrayLike<number>[], samples: readonly PolicySample[]): OldLogprobDiff | undefined {
  let sum = 0;
  let max = 0;
  let n = 0;
  samples.forEach((s, i) => {
    if (!s.samplerLogprobs) return;
    for (let t = 0; t < s.responseTokens.length; t++) {
      if (!s.lossMask[t]) continue;
      const d = Math.abs(old[i]![t]! - s.samplerLogprobs[t]!);
      sum += d;
      max = Math.max(max, d);
      n += 1;
    }
  });
  return n > 0 ? { meanAbs: sum / n, max, tokens: n } : undefined;
}
