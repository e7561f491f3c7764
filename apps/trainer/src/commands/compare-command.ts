import { ArpoError } from '@arpo/core';
import { join, resolve } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseTrainerConfig, type TrainerConfig } from '../config/trainer-config.js';
import type { Algorithm, EvalRow, TrainRow } from '../run-files.js';
import { RunFolder } from '../run/run-folder.js';
import { writeReport } from '../report/index.js';
import { sftCommand } from './sft-command.js';
import { trainCommand } from './train-command.js';
import { compareLines, formatCompareTable, type CompareLine, type CompareRun } from './compare-table.js';
import type { CommandEnv } from './session.js';

/** Options of `arpo compare`. */
export interface CompareOptions {
  config: TrainerConfig;
  out: string;
  /** Seeds per algorithm (seed = config.seed + i). */
  seeds: number;
  algorithms?: readonly Algorithm[];
}

/** What `arpo compare` returns. */
export interface CompareResult {
  runs: CompareRun[];
  lines: CompareLine[];
  table: string;
  report: string;
}

/**
 * `arpo compare`: ARPO vs GRPO from the same SFT model (`model.path`, or one SFT run made first in `<out>/sft`),
 * with the same M, steps, data and seeds; evaluates each on the held-out split and prints a table of accuracy
 * (mean over seeds with its 95% interval and sd), tool calls and tokens during training, and wall time (paper §4.6's claim: ARPO reaches
 * GRPO's accuracy with about half the tool calls).
 */
export async function compareCommand(env: CommandEnv, options: CompareOptions): Promise<CompareResult> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  let modelPath = options.config.model.path;
  if (!modelPath) {
    const sft = await sftCommand(env, { config: options.config, out: join(out, 'sft'), resume: true });
    if (!sft.modelDir) throw new ArpoError('compare: SFT did not complete');
    modelPath = sft.modelDir;
  }
  const runs: CompareRun[] = [];
  for (let i = 0; i < options.seeds && !env.stop.stopped; i++) {
    for (const algorithm of options.algorithms ?? (['arpo', 'grpo'] as const)) {
      if (env.stop.stopped) break;
      const seed = options.config.seed + i;
      const config = parseTrainerConfig({ ...options.config, seed, model: { ...options.config.model, path: modelPath }, train: { ...options.config.train, algorithm } });
      const dir = join(out, `${algorithm}-seed${seed}`);
      const run = new RunFolder(dir);
      let summary = run.readSummary();
      if (summary?.status === 'completed' && summary.kind === 'train') {
        env.reporter.info(`${algorithm.toUpperCase()} seed ${seed}: already completed in ${dir}`);
      } else {
        env.reporter.info(`\n== ${algorithm.toUpperCase()} seed ${seed} ==`);
        summary = (await trainCommand(env, { config, out: dir, resume: true })).summary;
      }
      if (summary.status !== 'completed') continue;
      const trainRows = run.readMetrics().filter((r): r is TrainRow => r.type === 'train');
      const evals = (stage: string): EvalRow[] => summary!.evaluations.filter((e) => e.stage === stage);
      runs.push({ algorithm, seed, dir, summary, after: evals('after-rl'), before: evals('before-rl'), trainWallMs: trainRows.at(-1)?.elapsedMs ?? 0 });
    }
  }
  const lines = compareLines(runs);
  const table = formatCompareTable(lines);
  writeFileSync(join(out, 'compare.md'), `${table}\n`);
  writeFileSync(join(out, 'compare.json'), `${JSON.stringify({ lines, runs: runs.map((r) => ({ algorithm: r.algorithm, seed: r.seed, dir: r.dir })) }, null, 2)}\n`);
  const report = await writeReport(runs.map((r) => r.dir), join(out, 'report.html'));
  return { runs, lines, table, report };
}

