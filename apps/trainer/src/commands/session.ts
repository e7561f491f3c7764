import { join } from 'node:path';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { Reporter } from '../progress/reporter.js';
import type { EvalRow, RunKind, RunSummaryFile, ToolCounts } from '../run-files.js';
import { RunFolder } from '../run/run-folder.js';
import type { RunContext } from '../run/run-context.js';
import type { StopSignal } from '../run/stop-signal.js';
import { prepareTaskData, type TaskData } from '../setup/task-data.js';
import { createRunTools, type RunTools } from '../setup/tools.js';

/** What every command gets from the CLI (or a script calling the commands directly). */
export interface CommandEnv {
  reporter: Reporter;
  stop: StopSignal;
  /** The command line, recorded in config.json. */
  argv: readonly string[];
}

/** A run folder opened for a command, with its data and tools. */
export interface Session extends RunContext {
  data: TaskData;
  tools: RunTools;
  started: number;
}

/** Opens (or continues) a run folder, writes the resolved config, generates the data and starts the tools. */
export async function openSession(env: CommandEnv, kind: RunKind, out: string, config: TrainerConfig): Promise<Session> {
  const run = new RunFolder(out);
  run.writeConfig(kind, config, env.argv);
  const ctx: RunContext = { config, run, reporter: env.reporter, stop: env.stop };
  env.reporter.info(`run folder: ${run.dir}`);
  const data = await prepareTaskData(config, join(run.dir, 'data'), env.reporter);
  const tools = await createRunTools(config, data.indexPath, (m) => env.reporter.info(m));
  return { ...ctx, data, tools, started: performance.now() };
}

/** Writes summary.json: the last evaluation row per (stage, suite, tools) and the training totals. */
export function writeSummary(
  session: Session,
  kind: RunKind,
  status: RunSummaryFile['status'],
  totals: { steps: number; toolCalls?: ToolCounts; tokens?: number; lastCheckpoint?: string | null },
): RunSummaryFile {
  const evals = new Map<string, EvalRow>();
  for (const r of session.run.readMetrics()) if (r.type === 'eval') evals.set(`${r.stage}/${r.suite}/${r.tools}`, r);
  const summary: RunSummaryFile = {
    formatVersion: 1,
    kind,
    status,
    steps: totals.steps,
    wallMs: performance.now() - session.started,
    trainToolCalls: totals.toolCalls ?? {},
    trainTokens: totals.tokens ?? 0,
    evaluations: [...evals.values()],
    lastCheckpoint: totals.lastCheckpoint ?? null,
  };
  session.run.writeSummary(summary);
  return summary;
}
