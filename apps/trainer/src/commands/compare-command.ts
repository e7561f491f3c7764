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
import { frontierSvg } from './frontier-svg.js';
import { ALGORITHMS } from '../phases/algorithm-config.js';
import { deepMerge } from '../config/trainer-config.js';
import type { CommandEnv } from './session.js';

/** Options of `arpo compare`. */
export interface CompareOptions {
  config: TrainerConfig;
  out: string;
  /** Seeds per algorithm (seed = firstSeed + i). */
  seeds: number;
  /** The first seed (default `config.seed`). */
  firstSeed?: number;
  /** Algorithms, in run order (default grpo, arpo, aepo). */
  algorithms?: readonly Algorithm[];
  /**
   * A setting under `arpo` to sweep, e.g. `{ path: 'rollout.branchProbability', values: [0.2, 0.5, 0.8] }`: every
   * algorithm but GRPO runs once per value (GRPO's trajectory rollout ignores the adaptive rollout's options, so a
   * `rollout.*` sweep leaves it at the base config; other paths sweep it too).
   */
  sweep?: { path: string; values: readonly unknown[] };
}

/** One entry of `compare.json` per algorithm (and swept setting); the first seven field names are stable. */
export interface CompareJsonEntry {
  algorithm: Algorithm;
  /** Seeds run (their number). */
  seeds: number;
  /** Questions per evaluation (the smallest over seeds). */
  examples: number;
  /** Accuracy after RL with tools on: mean over seeds. */
  accuracyAfterRl: number;
  accuracyAfterRlPerSeed: number[];
  /** Tool calls executed during training, mean per run (probes and shared prefixes once). */
  toolCalls: number;
  /** Response tokens generated during training, mean per run. */
  tokens: number;
  variant: string | null;
  label: string;
  seedList: number[];
  accuracyAfterRlInterval95: [number, number];
  accuracyAfterRlSd: number;
  accuracyBeforeRl: number | null;
  differenceToGrpo: { mean: number; interval95: [number, number] | null; pairs: number } | null;
  toolCallsRatioToGrpo: number | null;
  tokensRatioToGrpo: number | null;
  formatErrorsAfterRl: number;
  rlWallSeconds: number;
}

/** The `compare.json` entries of one suite. */
export function compareJsonEntries(lines: readonly CompareLine[], suite: string): CompareJsonEntry[] {
  return lines
    .filter((l) => l.accuracy[suite])
    .map((l) => ({
      algorithm: l.algorithm,
      seeds: l.seeds,
      examples: l.accuracy[suite]!.examples,
      accuracyAfterRl: l.accuracy[suite]!.mean,
      accuracyAfterRlPerSeed: l.accuracyPerSeed[suite] ?? [],
      toolCalls: l.toolCalls.mean,
      tokens: l.tokens.mean,
      variant: l.variant ?? null,
      label: l.label,
      seedList: l.seedList,
      accuracyAfterRlInterval95: l.accuracy[suite]!.interval95,
      accuracyAfterRlSd: l.accuracy[suite]!.std,
      accuracyBeforeRl: l.accuracyBefore[suite]?.mean ?? null,
      differenceToGrpo: l.vsGrpo?.[suite] ?? null,
      toolCallsRatioToGrpo: l.toolCallsRatio,
      tokensRatioToGrpo: l.tokensRatio,
      formatErrorsAfterRl: l.formatErrors.mean,
      rlWallSeconds: l.wallSeconds.mean,
    }));
}

/** `{ 'rollout.branchProbability': 0.2 }` → `{ rollout: { branchProbability: 0.2 } }`. */
function nested(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** The value at a dotted path of an object (undefined where the path ends). */
function valueAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

/** A run folder name fragment for a swept value: `branchProbability0.2`. */
function variantTag(path: string, value: unknown): string {
  return `${path.split('.').at(-1)}${String(value)}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** What `arpo compare` returns. */
export interface CompareResult {
  runs: CompareRun[];
  lines: CompareLine[];
  table: string;
  report: string;
}

/**
 * `arpo compare`: GRPO, ARPO and AEPO from the same SFT model (`model.path`, or one SFT run made first in `<out>/sft`),
 * with the same M, steps, data and seeds; evaluates each on the held-out split and prints a table of accuracy
 * (mean over seeds with its 95% interval and sd), tool calls and tokens during training, and wall time (paper §4.6's claim: ARPO reaches
 * GRPO's accuracy with about half the tool calls).
 */
export async function compareCommand(env: CommandEnv, options: CompareOptions): Promise<CompareResult> {
  const out = resolve(options.out);
  const sweep = options.sweep;
  // The `arpo` section of each swept value, parsed here so that a bad value fails before any run trains.
  const sweptArpo = (sweep?.values ?? []).map((value) => {
    const arpo = deepMerge(options.config.arpo, nested(sweep!.path, value)) as TrainerConfig['arpo'];
    parseTrainerConfig({ ...options.config, arpo });
    return { value, arpo };
  });
  mkdirSync(out, { recursive: true });
  let modelPath = options.config.model.path;
  if (!modelPath) {
    const sft = await sftCommand(env, { config: options.config, out: join(out, 'sft'), resume: true });
    if (!sft.modelDir) throw new ArpoError('compare: SFT did not complete');
    modelPath = sft.modelDir;
  }
  const runs: CompareRun[] = [];
  const first = options.firstSeed ?? options.config.seed;
  for (let i = 0; i < options.seeds && !env.stop.stopped; i++) {
    for (const algorithm of options.algorithms ?? ALGORITHMS) {
      const swept = sweep && !(algorithm === 'grpo' && sweep.path.startsWith('rollout.'));
      for (const { value, arpo } of swept ? sweptArpo : [{ value: undefined, arpo: options.config.arpo }]) {
        if (env.stop.stopped) break;
        const seed = first + i;
        const config = parseTrainerConfig({ ...options.config, seed, arpo, model: { ...options.config.model, path: modelPath }, train: { ...options.config.train, algorithm } });
        // A swept value equal to the base config's is the base run (same folder, no variant label).
        const isBase = !swept || JSON.stringify(valueAt(config.arpo, sweep.path)) === JSON.stringify(valueAt(options.config.arpo, sweep.path));
        const variant = isBase ? undefined : `${sweep!.path}=${String(value)}`;
        const dir = join(out, isBase ? `${algorithm}-seed${seed}` : `${algorithm}-${variantTag(sweep!.path, value)}-seed${seed}`);
        const name = `${algorithm.toUpperCase()}${variant ? ` ${variant}` : ''} seed ${seed}`;
        const run = new RunFolder(dir);
        let summary = run.readSummary();
        if (summary?.status === 'completed' && summary.kind === 'train') {
          env.reporter.info(`${name}: already completed in ${dir}`);
        } else {
          env.reporter.info(`\n== ${name} ==`);
          summary = (await trainCommand(env, { config, out: dir, resume: true })).summary;
        }
        if (summary.status !== 'completed') continue;
        const trainRows = run.readMetrics().filter((r): r is TrainRow => r.type === 'train');
        const evals = (stage: string): EvalRow[] => summary!.evaluations.filter((e) => e.stage === stage);
        runs.push({ algorithm, ...(variant ? { variant } : {}), seed, dir, summary, after: evals('after-rl'), before: evals('before-rl'), trainWallMs: trainRows.at(-1)?.elapsedMs ?? 0 });
      }
    }
  }
  const lines = compareLines(runs);
  const table = formatCompareTable(lines);
  const suites = [...new Set(lines.flatMap((l) => Object.keys(l.accuracy)))];
  const frontiers = suites.map((suite) => {
    const file = suites.length === 1 ? 'frontier.svg' : `frontier-${suite}.svg`;
    writeFileSync(join(out, file), frontierSvg(lines, suite));
    return { suite, file };
  });
  const md = [table, '', ...frontiers.map((f) => `![${f.suite}: accuracy after RL vs tool calls in training](${f.file})`)].join('\n');
  writeFileSync(join(out, 'compare.md'), `${md}\n`);
  const json = {
    formatVersion: 2,
    suites: Object.fromEntries(suites.map((s) => [s, compareJsonEntries(lines, s)])),
    runs: runs.map((r) => ({ algorithm: r.algorithm, variant: r.variant ?? null, seed: r.seed, dir: r.dir })),
  };
  writeFileSync(join(out, 'compare.json'), `${JSON.stringify(json, null, 2)}\n`);
  const report = await writeReport(runs.map((r) => r.dir), join(out, 'report.html'));
  return { runs, lines, table, report };
}
