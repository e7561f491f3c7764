import { TfjsPolicy } from '@arpo/policy-tfjs';
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
 * `arpo demo`: tasks and search index, evaluation (tools on and off), ARPO RL, evaluation again, and the HTML
 * report, in one run folder. By default (the CLI's preset) the model is `@arpo/demo-model`'s pretrained checkpoint
 * and there is no SFT (`sft.steps = 0` with `model.path`); `--from-scratch` puts the cold-start SFT of a fresh
 * model on scripted demonstrations first.
 */
export async function demoCommand(env: CommandEnv, options: { config: TrainerConfig; out: string; resume?: boolean }): Promise<DemoResult> {
  const session = await openSession(env, 'demo', options.out, options.config);
  const resume = options.resume ?? false;
  let policy: TfjsPolicy | undefined;
  try {
    // A resumed demo that already reached RL continues from its train checkpoint; otherwise SFT comes first.
    const inRl = resume && latestCheckpoint(session.run.path('checkpoints', 'train')) !== null;
    const pretrained = options.config.model.path !== undefined && options.config.sft.steps === 0;
    if (!inRl && pretrained) {
      policy = await TfjsPolicy.load(options.config.model.path!, { backend: options.config.model.backend, seed: options.config.seed, log: (m) => env.reporter.info(m) });
      env.reporter.info(`model ${options.config.model.path} (pretrained; no SFT)`);
    } else if (!inRl) {
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
