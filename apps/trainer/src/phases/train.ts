import { ArpoConfigError, createRng, type ToolExecutor, ArpoError } from '@arpo/core';
import { EntropyTracker } from '@arpo/entropy';
import { arpoStep } from '@arpo/loop';
import { createParallelPolicy, isReplicablePolicy, isRowSplitPolicy, PolicyOptimizer, ReplicaPool } from '@arpo/optimizer';
import { createHierarchicalReward } from '@arpo/reward';
import { renderPrompt, type TaskExample } from '@arpo/tasks';
import type { RewardFunction } from '@arpo/core';
import type { Algorithm, ToolCounts } from '../run-files.js';
import { readTrainerCheckpoint, saveModelAtomic, saveTrainerCheckpoint } from '../run/checkpoint.js';
import type { RunContext } from '../run/run-context.js';
import { batchAt } from './data-order.js';
import type { TrainerPolicy } from './trainer-policy.js';
import { sampledGroup } from './sampled-group.js';
import { groupScores, type GroupScores } from './score-groups.js';
import { trainRow } from './train-row.js';
import { gradientLanes, lanesLine } from '../setup/workers.js';
import { algorithmConfigs } from './algorithm-config.js';

/** How an RL phase ended. */
export interface TrainResult {
  steps: number;
  completed: boolean;
  /** Tool calls executed by the rollouts (shared prefixes once), by tool, over all steps (resumed ones too). */
  toolCalls: ToolCounts;
  /** Response tokens generated over all steps. */
  tokens: number;
  wallMs: number;
  /** The HF folder of the final model (when completed). */
  modelDir: string | null;
}

/** Options of {@link runTrain}. */
export interface TrainOptions {
  /** A checkpoint folder to continue from (its weights are already in `policy`). */
  resumeFrom?: string | null;
  /** Replaces the hierarchical reward (paper Eq. 8). */
  reward?: RewardFunction;
}

const addCounts = (a: ToolCounts, b: ToolCounts): ToolCounts => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};

/**
 * The RL stage, one step at a time (paper Alg. 1): sample `trainBatchSize` prompts; roll out M trajectories each
 * (`arpo`: entropy-based adaptive branching; `grpo`: M independent trajectories); score them; GRPO advantages
 * with soft (or hard) attribution; one clipped-surrogate update. Every random choice derives from the run seed
 * and the step number, and the persistent entropy baselines are checkpointed, so a resumed run repeats exactly
 * what an uninterrupted one does.
 */
export async function runTrain(
  ctx: RunContext,
  policy: TrainerPolicy,
  tools: ToolExecutor,
  train: readonly TaskExample[],
  options: TrainOptions = {},
): Promise<TrainResult> {
  const { config, run, reporter, stop } = ctx;
  const t = config.train;
  const algorithm: Algorithm = t.algorithm;
  const started = performance.now();
  const checkpoints = run.path('checkpoints', 'train');
  const modelDir = run.path('model');
  const { rollout: rolloutConfig, loss: lossConfig } = algorithmConfigs(algorithm, config.arpo.rollout, config.arpo.loss);
  checkRolloutFitsModel(config, policy);
  const { maxPromptTokens } = rolloutConfig;
  // The reference drops prompts longer than max_prompt_length from the dataset.
  const usable = train
    .map((example) => {
      const text = renderPrompt(example, config.data.format);
      return { example, text, tokens: policy.tokenizer.encode(text) };
    })
    .filter((p) => p.tokens.length <= maxPromptTokens);
  if (usable.length < train.length) reporter.warn(`RL: ${train.length - usable.length} training prompts longer than maxPromptTokens (${maxPromptTokens}) are left out`);
  if (usable.length === 0) throw new ArpoConfigError('trainer config', [{ field: 'arpo.rollout.maxPromptTokens', value: maxPromptTokens, expected: 'room for at least one training prompt' }]);
  const reward = options.reward ?? createHierarchicalReward(config.arpo.reward);
  if (config.arpo.loss.klCoef > 0 && !policy.frozenCopy) {
    throw new ArpoError(`loss.klCoef = ${config.arpo.loss.klCoef} needs a reference policy, but ${policy.modelId} has no frozenCopy()`);
  }
  const reference = config.arpo.loss.klCoef > 0 ? policy.frozenCopy!() : undefined;
  // Every core: one pool of policy replicas for the rollouts (rows spread over the lanes, the same tokens) and
  // the updates (micro-batches spread, the same weights).
  const lanes = gradientLanes(config.workers, policy);
  reporter.info(lanesLine('RL rollouts and updates', lanes));
  const pool = lanes > 1 && isReplicablePolicy(policy) ? await ReplicaPool.start({ policy, threads: lanes - 1 }) : undefined;
  const rolloutPolicy = pool && isRowSplitPolicy(policy) ? createParallelPolicy(policy, pool) : undefined;
  const optimizer = new PolicyOptimizer(policy, {
    ...(pool ? { pool } : { workers: 1 }),
    loss: lossConfig,
    optimizer: config.arpo.optimizer,
    totalSteps: Math.max(1, t.steps),
    // the reference scores old, reference and current log-probs at the rollout temperature T
    ...(rolloutConfig.temperature > 0 ? { scoreTemperature: rolloutConfig.temperature } : {}),
    ...(reference ? { referencePolicy: reference } : {}),
  });
  let tracker = new EntropyTracker({ baselineReset: rolloutConfig.baselineReset });
  let step = 0;
  let toolCalls: ToolCounts = {};
  let tokens = 0;
  let elapsedBefore = 0;
  if (options.resumeFrom) {
    const saved = readTrainerCheckpoint(options.resumeFrom);
    if (saved.state.phase !== 'train' || saved.state.algorithm !== algorithm || saved.state.seed !== config.seed) {
      throw new ArpoError(
        `${options.resumeFrom}: a ${saved.state.phase} checkpoint of algorithm ${saved.state.algorithm}, seed ${saved.state.seed} (expected train, ${algorithm}, seed ${config.seed})`,
      );
    }
    optimizer.importState(saved.optimizer);
    if (saved.state.tracker) tracker = EntropyTracker.fromState(saved.state.tracker);
    step = saved.state.step;
    toolCalls = saved.state.totals.toolCalls;
    tokens = saved.state.totals.tokens;
    elapsedBefore = saved.state.totals.elapsedMs;
    run.truncateMetricsAfter('train', step);
    reporter.info(`resuming ${algorithm} training at step ${step} from ${options.resumeFrom}`);
  }
  const elapsed = (): number => elapsedBefore + performance.now() - started;
  const save = async (): Promise<string> =>
    saveTrainerCheckpoint(
      checkpoints,
      {
        policy,
        optimizer: optimizer.exportState(),
        state: { phase: 'train', step, tracker: tracker.getState(), totals: { toolCalls, tokens, elapsedMs: elapsed() }, algorithm, seed: config.seed },
      },
      t.keepCheckpoints,
    );

  const bar = reporter.phase(algorithm, t.steps, 'step');
  bar.tick(step);
  const batchSize = config.arpo.optimizer.trainBatchSize;
  let lastSaved = -1;
  try {
    while (step < t.steps && !stop.stopped) {
      const stepStarted = performance.now();
      const batch = batchAt(usable.length, batchSize, step, `${config.seed}/rl`).map((i) => usable[i]!);
      const examples = batch.map((p) => p.example);
      step += 1;
      const prompts = batch.map((p, j) => ({ promptId: `s${step}-p${j}-${p.example.id}`, promptTokens: p.tokens, text: p.text }));
      bar.tick(0, `step ${step}: rollout of ${prompts.length} × M = ${rolloutConfig.rollouts}, reward, update`);
      // The ARPO step itself (@arpo/loop): rollout → reward → advantages → update.
      const { groups, rewards, advantages, rollout: rolloutMetrics, update, timings } = await arpoStep({
        policy,
        ...(rolloutPolicy ? { rolloutPolicy } : {}),
        optimizer,
        tools,
        reward,
        prompts: batch.map((p, j) => ({ promptId: prompts[j]!.promptId, promptTokens: p.tokens, groundTruth: p.example.answers, ability: p.example.ability })),
        rollout: rolloutConfig,
        advantage: config.arpo.advantage,
        rng: createRng(`${config.seed}/rollout/${step}`),
        tracker,
      });
      const scores: GroupScores[] = groups.map((g, i) => groupScores(g, rewards[i]!, examples[i]!, policy.tokenizer));
      const { rolloutMs, rewardMs, updateMs } = timings;

      toolCalls = addCounts(toolCalls, rolloutMetrics.toolCallsExecuted);
      tokens += rolloutMetrics.tokensGenerated;
      const row = trainRow({
        step,
        algorithm,
        groups,
        scores,
        rollout: rolloutMetrics,
        update,
        time: { rolloutMs, rewardMs, updateMs, totalMs: performance.now() - stepStarted },
        elapsedMs: elapsed(),
      });
      run.appendMetrics(row);
      reporter.record('train', row);
      if (t.sampleGroupsEvery > 0 && step % t.sampleGroupsEvery === 0) {
        const pick = pickGroup(scores, groups.map((g) => g.stats?.branches ?? 0));
        run.writeGroup(sampledGroup(groups[pick]!, examples[pick]!, prompts[pick]!.text, scores[pick]!, advantages[pick]!.scalarAdvantages, policy.tokenizer, step, algorithm));
      }
      bar.tick(1, `reward ${row.rewardMean.toFixed(3)}  acc ${row.accuracy.toFixed(2)}  tools ${row.toolCallsTotal}`);
      if (t.checkpointEvery > 0 && step % t.checkpointEvery === 0 && step < t.steps) {
        await save();
        lastSaved = step;
      }
    }
    const completed = step >= t.steps;
    bar.finish(completed ? 'done' : `stopped at step ${step}`);
    if (lastSaved !== step) await save();
    if (completed) await saveModelAtomic(policy, modelDir);
    return { steps: step, completed, toolCalls, tokens, wallMs: performance.now() - started, modelDir: completed ? modelDir : null };
  } finally {
    optimizer.dispose();
    await pool?.dispose();
    reference?.dispose?.();
  }
}

/** A prompt of `maxPromptTokens` plus a response of `maxResponseTokens` must fit the model's context. */
export function checkRolloutFitsModel(config: RunContext['config'], policy: TrainerPolicy): void {
  const context = policy.config?.max_position_embeddings;
  const { maxPromptTokens, maxResponseTokens } = config.arpo.rollout;
  if (context !== undefined && maxPromptTokens + maxResponseTokens > context) {
    throw new ArpoConfigError('trainer config', [
      { field: 'arpo.rollout.maxPromptTokens + maxResponseTokens', value: maxPromptTokens + maxResponseTokens, expected: `<= the model's max_position_embeddings (${context})` },
    ]);
  }
}

/** The group shown in the tree viewer: the one with the most branches, then the widest reward spread. */
function pickGroup(scores: readonly GroupScores[], branches: readonly number[]): number {
  let best = 0;
  let bestKey = -Infinity;
  scores.forEach(({ rewards }, i) => {
    const spread = rewards.length ? Math.max(...rewards) - Math.min(...rewards) : 0;
    const key = branches[i]! * 10 + spread;
    if (key > bestKey) {
      bestKey = key;
      best = i;
    }
  });
  return best;
}
