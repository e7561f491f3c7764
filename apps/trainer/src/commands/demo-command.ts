import type { TfjsPolicy } from '@arpo/policy-tfjs';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { EvalRow, RunSummaryFile } from '../run-files.js';
import { latestCheckpoint } from '../run/checkpoint.js';
import { writeReport } from '../report/index.js';
import { openSession, writeSummary, type CommandEnv } from './session.js';
import { sftStage, trainStage } from './stages.js';

/** What `arpo demo` returns. */
export interface DemoResult {
  summary: RunSummaryFile;
  before: EvalRow[];
  after: EvalRow[];
  report: string;
}

/**
 * `arpo demo`: the whole pipeline in one run folder on the embedded defaults: tasks and search index, cold-start
 * SFT of a model from scratch, evaluation (tools on and off), ARPO RL, evaluation again, and the HTML report.
 */
export async function demoCommand(env: CommandEnv, options: { config: TrainerConfig; out: string; resume?: boolean }): Promise<DemoResult> {
  const session = await openSession(env, 'demo', options.out, options.config);
  const resume = options.resume ?? false;
  let policy: TfjsPolicy | undefined;
  try {
    // A resumed demo that already reached RL continues from its train checkpoint; otherwise SFT comes first.
    const inRl = resume && latestCheckpoint(session.run.path('checkpoints', 'train')) !== null;
    if (!inRl) {
      const sft = await sftStage(session, { resume, evaluate: false });
      policy = sft.policy;
      if (!sft.result.completed) {
        const summary = writeSummary(session, 'demo', 'interrupted', { steps: sft.result.steps });
        return { summary, before: [], after: [], report: await writeReport([session.run.dir]) };
      }
    }
    const sftPolicy = policy;
    const rl = await trainStage(session, async () => sftPolicy!, { resume: inRl });
    policy = rl.policy;
    const status = rl.result.completed ? 'completed' : 'interrupted';
    const summary = writeSummary(session, 'demo', status, { steps: rl.result.steps, toolCalls: rl.result.toolCalls, tokens: rl.result.tokens });
    const report = await writeReport([session.run.dir]);
    const before = rl.before.length ? rl.before : session.run.readMetrics().filter((r): r is EvalRow => r.type === 'eval' && r.stage === 'before-rl');
    return { summary, before, after: rl.after, report };
  } finally {
    policy?.dispose();
    await session.tools.close();
  }
}
