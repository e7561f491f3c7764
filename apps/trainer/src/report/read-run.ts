import { readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ArpoConfigError, ArpoError, parseConfig } from '@arpo/core';
import {
  RUN_FILES,
  type EvalRow,
  type MetricsRow,
  type RunConfigFile,
  type RunSummaryFile,
  type SampledGroupFile,
  type SftRow,
  type TrainRow,
} from '../run-files.js';
import {
  METRICS_ROW_SCHEMAS,
  RunConfigFileSchema,
  RunSummaryFileSchema,
  SampledGroupFileSchema,
} from './run-file-schemas.js';

/** Everything the report needs from one run folder, validated. */
export interface RunData {
  /** Absolute path of the run folder. */
  dir: string;
  /** `config.name`, or the folder name when the config leaves it empty. */
  name: string;
  config: RunConfigFile;
  /** Every metrics row in file order, as written (a resumed run may repeat steps). */
  rows: MetricsRow[];
  /** SFT rows, one per step (the last row written for a step wins), sorted by step. */
  sft: SftRow[];
  /** RL training rows, one per step (the last row written for a step wins), sorted by step. */
  train: TrainRow[];
  /** Evaluation rows in file order. */
  evals: EvalRow[];
  /** `summary.json`, or null while the run has not ended. */
  summary: RunSummaryFile | null;
  /** The sampled rollout groups of `groups/*.json`, sorted by step then file name; empty when there are none. */
  groups: SampledGroupFile[];
  /** Things the reader tolerated, e.g. a half-written last line of a run still in progress. */
  warnings: string[];
}

/**
 * Reads and validates a run folder: `config.json` and `metrics.jsonl` (required), `summary.json` and
 * `groups/*.json` (optional).
 *
 * A metrics line that is not JSON or not a valid row throws an error naming the file, the line number and what
 * was expected. The one exception is an unterminated last line (a run still writing it): it is skipped and noted
 * in `warnings`.
 */
export async function readRun(dir: string): Promise<RunData> {
  const root = resolve(dir);
  const configPath = join(root, RUN_FILES.config);
  const configText = await readText(configPath);
  if (configText === null) throw new ArpoError(`${configPath}: not found (is ${root} a run folder?)`);
  const config = parseConfig(RunConfigFileSchema, parseJson(configText, configPath), configPath);

  const metricsPath = join(root, RUN_FILES.metrics);
  const metricsText = await readText(metricsPath);
  if (metricsText === null) throw new ArpoError(`${metricsPath}: not found (expected one JSON metrics row per line)`);
  const warnings: string[] = [];
  const rows = parseMetrics(metricsText, metricsPath, warnings);

  const summaryPath = join(root, RUN_FILES.summary);
  const summaryText = await readText(summaryPath);
  const summary =
    summaryText === null ? null : parseConfig(RunSummaryFileSchema, parseJson(summaryText, summaryPath), summaryPath);

  const groups = await readGroups(join(root, RUN_FILES.groups));

  return {
    dir: root,
    name: config.name.trim() || basename(root),
    config,
    rows,
    sft: lastPerStep(rows.filter((r): r is SftRow => r.type === 'sft')),
    train: lastPerStep(rows.filter((r): r is TrainRow => r.type === 'train')),
    evals: rows.filter((r): r is EvalRow => r.type === 'eval'),
    summary,
    groups,
    warnings,
  };
}

/**
 * Parses the text of a `metrics.jsonl`. Blank lines are skipped. Throws {@link ArpoError} (not JSON) or
 * {@link ArpoConfigError} (a bad row) naming `file`, the 1-based line number and what was expected; an
 * unterminated last line that does not parse is skipped with a note in `warnings`.
 */
export function parseMetrics(text: string, file: string, warnings: string[] = []): MetricsRow[] {
  const lines = text.split('\n');
  const rows: MetricsRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file} line ${i + 1}`;
    const unterminated = i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (unterminated) {
        warnings.push(`${where}: skipped an unterminated last line that is not JSON (the run may still be writing it)`);
        return;
      }
      throw new ArpoError(
        `${where}: not valid JSON (${(error as Error).message}); expected one metrics row (a JSON object) per line`,
      );
    }
    rows.push(parseMetricsRow(value, where));
  });
  return rows;
}

/** Validates one parsed metrics line; `where` names it in errors (e.g. `…/metrics.jsonl line 7`). */
export function parseMetricsRow(value: unknown, where: string): MetricsRow {
  const type = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { type?: unknown }).type : undefined;
  if (type !== 'sft' && type !== 'train' && type !== 'eval') {
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    throw new ArpoConfigError(`metrics row at ${where}`, [
      isObject
        ? { field: 'type', value: type, expected: 'one of "sft", "train", "eval"' }
        : { field: '(root)', value, expected: 'a JSON object (an sft, train or eval row)' },
    ]);
  }
  return parseConfig(METRICS_ROW_SCHEMAS[type], value, `${type} row at ${where}`);
}

async function readGroups(dir: string): Promise<SampledGroupFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Skip hidden and temporary files (atomic writers rename `.x.tmp` into place).
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const groups: Array<{ file: string; group: SampledGroupFile }> = [];
  for (const file of files) {
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    groups.push({ file, group: parseConfig(SampledGroupFileSchema, parseJson(text, path), path) });
  }
  groups.sort((a, b) => a.group.step - b.group.step || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return groups.map((g) => g.group);
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ArpoError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

function lastPerStep<R extends { step: number }>(rows: R[]): R[] {
  const byStep = new Map<number, R>();
  for (const row of rows) byStep.set(row.step, row);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
