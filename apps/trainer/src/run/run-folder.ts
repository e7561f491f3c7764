import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@arpo/tools';
import { RUN_FILES, type MetricsRow, type RunConfigFile, type RunKind, type RunSummaryFile, type SampledGroupFile } from '../run-files.js';

const pad = (step: number): string => String(step).padStart(6, '0');

/** A run folder (see `run-files.ts`): config, metrics appended line by line, sampled groups, summary. */
export class RunFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    mkdirSync(this.dir, { recursive: true });
  }

  get name(): string {
    return basename(this.dir);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Writes `config.json` (atomically; a resumed run keeps the original start time). */
  writeConfig(kind: RunKind, config: unknown, argv: readonly string[]): RunConfigFile {
    const previous = this.readConfig();
    const file: RunConfigFile = {
      formatVersion: 1,
      kind,
      name: previous?.name ?? this.name,
      startedAt: previous?.startedAt ?? new Date().toISOString(),
      argv: [...argv],
      config,
    };
    writeFileAtomicSync(this.path(RUN_FILES.config), `${JSON.stringify(file, null, 2)}\n`);
    return file;
  }

  /** The saved config of the run folder `dir`, or null; unlike the constructor, creates nothing. */
  static readConfigAt(dir: string): RunConfigFile | null {
    const p = join(dir, RUN_FILES.config);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunConfigFile) : null;
  }

  readConfig(): RunConfigFile | null {
    const p = this.path(RUN_FILES.config);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunConfigFile) : null;
  }

  /** Appends one metrics row (one line, written in one call so a crash never leaves half a line before it). */
  appendMetrics(row: MetricsRow): void {
    appendFileSync(this.path(RUN_FILES.metrics), `${JSON.stringify(row)}\n`);
  }

  /**
   * Appends one evaluated question to `eval/<name>.jsonl` as soon as it is scored, so an interrupted evaluation
   * keeps every finished question.
   */
  appendEvalQuestion(name: string, row: unknown): void {
    mkdirSync(this.path(RUN_FILES.evalQuestions), { recursive: true });
    appendFileSync(this.path(RUN_FILES.evalQuestions, `${name}.jsonl`), `${JSON.stringify(row)}\n`);
  }

  /** The metrics rows written so far (a torn last line from a killed process is dropped). */
  readMetrics(): MetricsRow[] {
    const p = this.path(RUN_FILES.metrics);
    if (!existsSync(p)) return [];
    const rows: MetricsRow[] = [];
    for (const line of readFileSync(p, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line) as MetricsRow);
      } catch {
        break;
      }
    }
    return rows;
  }

  /**
   * Rewrites `metrics.jsonl` keeping only rows a resumed run will not write again: rows of `type` up to the
   * checkpoint's step, and every row of another type.
   */
  truncateMetricsAfter(type: 'sft' | 'train', step: number): void {
    const keep = this.readMetrics().filter((r) => r.type !== type || r.step <= step);
    writeFileAtomicSync(this.path(RUN_FILES.metrics), keep.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  writeGroup(group: SampledGroupFile): string {
    mkdirSync(this.path(RUN_FILES.groups), { recursive: true });
    const p = this.path(RUN_FILES.groups, `step-${pad(group.step)}.json`);
    writeFileAtomicSync(p, JSON.stringify(group));
    return p;
  }

  readSummary(): RunSummaryFile | null {
    const p = this.path(RUN_FILES.summary);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunSummaryFile) : null;
  }

  writeSummary(summary: RunSummaryFile): void {
    writeFileAtomicSync(this.path(RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  }
}
