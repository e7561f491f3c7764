import type { TrainerConfig } from '../config/trainer-config.js';
import type { EvalRow, RunSummaryFile } from '../run-files.js';
import { openSession, writeSummary, type CommandEnv } from './session.js';
import { sftStage } from './stages.js';

/** `arpo sft`: cold-start SFT of a model (fresh or `--model`), then evaluation; the model lands in `<out>/sft-model`. */
export async function sftCommand(env: CommandEnv, options: { config: TrainerConfig; out: string; resume?: boolean }): Promise<{ summary: RunSummaryFile; modelDir: string | null; evals: EvalRow[] }> {
  const session = await openSession(env, 'sft', options.out, options.config);
  let policy: Awaited<ReturnType<typeof sftStage>>['policy'] | undefined;
  try {
    const stage = await sftStage(session, { resume: options.resume ?? false });
    policy = stage.policy;
    const status = stage.result.completed ? 'completed' : 'interrupted';
    const summary = writeSummary(session, 'sft', status, { steps: stage.result.steps });
    return { summary, modelDir: stage.result.modelDir, evals: stage.evals };
  } finally {
    policy?.dispose();
    await session.tools.close();
  }
}
