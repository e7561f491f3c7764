import { ArpoError } from '@arpo/core';
import { PolicyOptimizer } from '@arpo/optimizer';
import type { ToolExecutor } from '@arpo/core';
import { solveAll, type Demonstration, type TaskExample } from '@arpo/tasks';
import { join } from 'node:path';
import { latestCheckpoint, readTrainerCheckpoint, saveModelAtomic, saveTrainerCheckpoint } from '../run/checkpoint.js';
import type { RunContext } from '../run/run-context.js';
import { batchAt } from './data-order.js';
import type { TrainerPolicy } from './trainer-policy.js';
import { demonstrationSample } from './sft-samples.js';
import { gradientLanes, lanesLine } from '../setup/workers.js';

/** How an SFT phase ended. */
export interface SftResult {
  /** Steps done in total (a resumed run counts the earlier ones). */
  steps: number;
  completed: boolean;
  /** Mean loss of the last 10 steps. */
  finalLoss: number;
  /** Trained tokens per second of this process's steps. */
  tokensPerSecond: number;
  wallMs: number;
  /** The HF folder of the final SFT model (when completed). */
  modelDir: string | null;
}

const SOLVE_CHUNK = 64;

/**
 * Cold-start SFT (spec §7.1): scripted demonstrations with real tool calls (`@arpo/tasks`' solver), the masked NLL
 * of the model tokens, AdamW with warm-up and cosine decay. Checkpoints every `sft.checkpointEvery` steps and
 * on stop; `resume` continues from the newest complete SFT checkpoint (whose weights `policy` was loaded from).
 */
export async function runSft(
  ctx: RunContext,
  policy: TrainerPolicy,
  demos: readonly Demonstration[],
  options: { resumeFrom?: string | null } = {},
): Promise<SftResult> {
  const { config, run, reporter, stop } = ctx;
  const s = config.sft;
  const started = performance.now();
  const checkpoints = run.path('checkpoints', 'sft');
  const modelDir = run.path('sft-model');
  if (s.steps === 0) return { steps: 0, completed: true, finalLoss: NaN, tokensPerSecond: 0, wallMs: 0, modelDir: null };

  const maxLen = policy.config?.max_position_embeddings ?? Number.POSITIVE_INFINITY;
  const all = demos.map((d) => demonstrationSample(d, policy.tokenizer));
  const samples = all.filter((x) => x.promptTokens.length + x.responseTokens.length <= maxLen);
  const meanLen = samples.reduce((a, x) => a + x.promptTokens.length + x.responseTokens.length, 0) / Math.max(1, samples.length);
  reporter.info(`SFT: ${samples.length} demonstrations, mean ${meanLen.toFixed(0)} tokens`);
  if (samples.length < all.length) reporter.warn(`SFT: ${all.length - samples.length} demonstrations longer than max_position_embeddings (${maxLen}) were dropped`);
  if (samples.length === 0) throw new ArpoError(`SFT: no demonstration fits in max_position_embeddings = ${maxLen}`);

  const lanes = gradientLanes(config.workers, policy);
  reporter.info(lanesLine('SFT updates', lanes));
  const optimizer = new PolicyOptimizer(policy, {
    workers: lanes,
    optimizer: {
      learningRate: s.learningRate,
      schedule: s.schedule,
      warmupRatio: s.warmupRatio,
      weightDecay: s.weightDecay,
      gradClip: s.gradClip,
      trainBatchSize: s.batchSize,
      miniBatchSize: s.batchSize,
      microBatchSize: s.microBatchSize,
    },
    totalSteps: s.steps,
  });
  let step = 0;
  let elapsedBefore = 0;
  if (options.resumeFrom) {
    const saved = readTrainerCheckpoint(options.resumeFrom);
    optimizer.importState(saved.optimizer);
    step = saved.state.step;
    elapsedBefore = saved.state.totals.elapsedMs;
    run.truncateMetricsAfter('sft', step);
    reporter.info(`resuming SFT at step ${step} from ${options.resumeFrom}`);
  }
  const save = async (): Promise<void> => {
    await saveTrainerCheckpoint(
      checkpoints,
      {
        policy,
        optimizer: optimizer.exportState(),
        state: { phase: 'sft', step, tracker: null, totals: { toolCalls: {}, tokens: 0, elapsedMs: elapsedBefore + performance.now() - started }, algorithm: 'sft', seed: config.seed },
      },
      config.train.keepCheckpoints,
    );
  };

  const bar = reporter.phase('sft', s.steps, 'step');
  bar.tick(step);
  const recent: number[] = [];
  let tokens = 0;
  let trainMs = 0;
  try {
    while (step < s.steps && !stop.stopped) {
      const batch = batchAt(samples.length, s.batchSize, step, `${config.seed}/sft`).map((i) => samples[i]!);
      const m = await optimizer.sftStep(batch);
      step += 1;
      tokens += m.tokens;
      trainMs += m.timings.totalMs;
      recent.push(m.loss);
      if (recent.length > 10) recent.shift();
      run.appendMetrics({
        type: 'sft',
        step,
        loss: m.loss,
        tokens: m.tokens,
        tokensPerSecond: m.tokens / Math.max(1e-9, m.timings.totalMs / 1000),
        learningRate: m.lr,
        gradNorm: m.gradNorm,
        elapsedMs: elapsedBefore + performance.now() - started,
      });
      bar.tick(1, `loss ${m.loss.toFixed(3)}  ${(tokens / Math.max(1e-9, trainMs / 1000)).toFixed(0)} trained tok/s`);
      if (s.checkpointEvery > 0 && step % s.checkpointEvery === 0 && step < s.steps) await save();
    }
    const completed = step >= s.steps;
    bar.finish(`loss ${(recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length)).toFixed(3)}`);
    if (completed) await saveModelAtomic(policy, modelDir);
    else await save();
    return {
      steps: step,
      completed,
      finalLoss: recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length),
      tokensPerSecond: tokens / Math.max(1e-9, trainMs / 1000),
      wallMs: performance.now() - started,
      modelDir: completed ? modelDir : null,
    };
  } finally {
    optimizer.dispose();
  }
}

/**
 * Scripted demonstrations of the first `sft.demonstrations` training questions, with real tool calls through
 * `tools` (the `demos` phase).
 */
export async function makeDemonstrations(ctx: RunContext, tools: ToolExecutor, train: readonly TaskExample[]): Promise<Demonstration[]> {
  const { config, reporter } = ctx;
  const pool = train.slice(0, config.sft.demonstrations);
  const bar = reporter.phase('demos', pool.length, 'demo');
  const demos: Demonstration[] = [];
  for (let i = 0; i < pool.length; i += SOLVE_CHUNK) {
    const chunk = await solveAll(pool.slice(i, i + SOLVE_CHUNK), tools, { format: config.data.format, imperfectShare: config.sft.imperfectShare, imperfectKinds: config.sft.imperfectKinds, seed: config.seed });
    demos.push(...chunk);
    bar.tick(chunk.length);
  }
  bar.finish(`${demos.length} demonstrations`);
  return demos;
}

/** Every text of the demonstrations (prompts, model turns, tool results): what the built-in tokenizer learns from. */
export function* demonstrationTexts(demos: readonly Demonstration[]): Generator<string> {
  for (const d of demos) {
    yield d.prompt;
    for (const seg of d.segments) yield seg.text;
  }
}

/** The newest complete SFT checkpoint of a run folder, if any. */
export function latestSftCheckpoint(ctx: RunContext): string | null {
  return latestCheckpoint(join(ctx.run.dir, 'checkpoints', 'sft'))?.dir ?? null;
}
