import { ArpoConfigError } from '@arpo/core';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { EvalRow, RunSummaryFile } from '../run-files.js';
import { writeReport } from '../report/index.js';
import { openSession, writeSummary, type CommandEnv } from './session.js';
import { trainStage } from './stages.js';

/** What `arpo train` returns. */
export interface TrainCommandResult {
  summary: RunSummaryFile;
  modelDir: string | null;
  before: EvalRow[];
  after: EvalRow[];
  report: string;
}

/**
 * `arpo train`: RL (`train.algorithm` arpo or grpo) from `model.path` (an SFT model or any HF folder), with
 * evaluations before and after, checkpoints, and the report. `resume` continues from the newest checkpoint.
 */
export async function trainCommand(env: CommandEnv, options: { config: TrainerConfig; out: string; resume?: boolean }): Promise<TrainCommandResult> {
  const { config } = options;
  const modelPath = config.model.path;
  if (!modelPath && !options.resume) {
    throw new ArpoConfigError('arpo train', [{ field: 'model.path (--model)', value: undefined, expected: 'the folder of the model to train (e.g. <run>/sft-model from `arpo sft`)' }]);
  }
  const session = await openSession(env, 'train', options.out, config);
  let policy: TfjsPolicy | undefined;
  try {
    const stage = await trainStage(session, () => TfjsPolicy.load(modelPath!, { backend: config.model.backend, seed: config.seed, log: (m) => env.reporter.info(m) }), { resume: options.resume ?? false });
    policy = stage.policy;
    const status = stage.result.completed ? 'completed' : 'interrupted';
    const summary = writeSummary(session, 'train', status, { steps: stage.result.steps, toolCalls: stage.result.toolCalls, tokens: stage.result.tokens });
    const report = await writeReport([session.run.dir]);
    return { summary, modelDir: stage.result.modelDir, before: stage.before, after: stage.after, report };
  } finally {
    policy?.dispose();
    await session.tools.close();
  }
}
