import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import type { Demonstration } from '@arpo/tasks';
import type { EvalRow } from '../run-files.js';
import { latestCheckpoint } from '../run/checkpoint.js';
import { runEvaluation } from '../phases/evaluation.js';
import { demonstrationTexts, latestSftCheckpoint, makeDemonstrations, runSft, type SftResult } from '../phases/sft.js';
import { checkRolloutFitsModel, runTrain, type TrainResult } from '../phases/train.js';
import { createRunPolicy } from '../setup/policy.js';
import type { Session } from './session.js';

/** The SFT stage of a session: demonstrations, a model (fresh, loaded, or resumed), SFT, evaluation after it. */
export async function sftStage(session: Session, options: { resume?: boolean; evaluate?: boolean } = {}): Promise<{ policy: TfjsPolicy; result: SftResult; evals: EvalRow[]; demos: Demonstration[] }> {
  const { config, reporter } = session;
  const log = (m: string): void => reporter.info(m);
  const finished = session.run.path('sft-model');
  if (options.resume && existsSync(join(finished, 'config.json'))) {
    reporter.info(`SFT already completed: loading ${finished}`);
    const policy = await TfjsPolicy.load(finished, { backend: config.model.backend, seed: config.seed, log });
    const steps = config.sft.steps;
    return { policy, result: { steps, completed: true, finalLoss: NaN, tokensPerSecond: 0, wallMs: 0, modelDir: finished }, evals: [], demos: [] };
  }
  const demos = await makeDemonstrations(session, session.tools.executor, session.data.train);
  const resumeFrom = options.resume ? latestSftCheckpoint(session) : null;
  const policy = resumeFrom
    ? await TfjsPolicy.load(resumeFrom, { backend: config.model.backend, seed: config.seed, log })
    : await createRunPolicy(config, () => tokenizerTexts(session, demos), log);
  reporter.info(`model ${policy.modelId}: ${parameterCount(policy).toLocaleString('en-US')} parameters, vocabulary ${policy.tokenizer.vocabSize}`);
  const result = await runSft(session, policy, demos, { resumeFrom });
  const evals = (options.evaluate ?? true) && result.completed && !session.stop.stopped ? await runEvaluation(session, policy, session.tools.executor, session.data.heldOut, 'after-sft', 0) : [];
  return { policy, result, evals, demos };
}

/**
 * The RL stage: evaluation before RL (skipped when resuming a run that has it), training, evaluation after. With
 * `resume`, the weights come from the newest train checkpoint instead of `policy`'s (which is then disposed).
 */
export async function trainStage(
  session: Session,
  initial: () => Promise<TfjsPolicy>,
  options: { resume?: boolean } = {},
): Promise<{ policy: TfjsPolicy; result: TrainResult; before: EvalRow[]; after: EvalRow[] }> {
  const { config, reporter } = session;
  const resumeFrom = options.resume ? (latestCheckpoint(session.run.path('checkpoints', 'train'))?.dir ?? null) : null;
  const policy = resumeFrom ? await TfjsPolicy.load(resumeFrom, { backend: config.model.backend, seed: config.seed, log: (m) => reporter.info(m) }) : await initial();
  checkRolloutFitsModel(config, policy);
  const hasBefore = session.run.readMetrics().some((r) => r.type === 'eval' && r.stage === 'before-rl');
  const before = hasBefore ? [] : await runEvaluation(session, policy, session.tools.executor, session.data.heldOut, 'before-rl', 0);
  const result = await runTrain(session, policy, session.tools.executor, session.data.train, { resumeFrom });
  const after = result.completed && !session.stop.stopped ? await runEvaluation(session, policy, session.tools.executor, session.data.heldOut, 'after-rl', result.steps) : [];
  return { policy, result, before, after };
}

/** The texts the built-in tokenizer learns from (`model.tokenizerTexts`). */
function* tokenizerTexts(session: Session, demos: readonly Demonstration[]): Generator<string> {
  if (session.config.model.tokenizerTexts === 'corpus') for (const d of session.data.set?.corpus ?? []) yield d.text;
  yield* demonstrationTexts(demos);
}

function parameterCount(policy: TfjsPolicy): number {
  return policy.trainableVariables().reduce((a, v) => a + v.size, 0);
}
