import { wilsonInterval } from '../phases/wilson-interval.js';
import type { Algorithm, EvalRow, RunSummaryFile } from '../run-files.js';

/** One finished training run of a comparison. */
export interface CompareRun {
  algorithm: Algorithm;
  seed: number;
  dir: string;
  summary: RunSummaryFile;
  /** Evaluation rows after RL (tools on and off). */
  after: EvalRow[];
  /** Evaluation rows before RL (the shared SFT model). */
  before: EvalRow[];
  /** Wall time of the RL steps (the last train row's `elapsedMs`; resumed runs count their earlier part). */
  trainWallMs: number;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** One line of the comparison table. */
export interface CompareLine {
  algorithm: Algorithm;
  seeds: number;
  /** Test accuracy with tools after RL, by suite: mean and std over seeds, and the 95% interval of the mean. */
  accuracy: Record<string, SuiteAccuracy>;
  /** The same before RL (the shared starting point). */
  accuracyBefore: Record<string, SuiteAccuracy>;
  /** Share of held-out answers failing the format check after RL, tools on, all suites (mean, std over seeds). */
  formatErrors: { mean: number; std: number };
  /** Tool calls executed during training (mean over seeds). */
  toolCalls: { mean: number; std: number };
  /** Response tokens generated during training (mean over seeds). */
  tokens: { mean: number; std: number };
  /** Wall time of the RL steps in seconds (mean over seeds). */
  wallSeconds: { mean: number; std: number };
}

/** Accuracy of one suite over seeds. */
export interface SuiteAccuracy {
  mean: number;
  /** Sample standard deviation over seeds (the spread RL's randomness causes). */
  std: number;
  /** Questions per evaluation (the smallest over seeds). */
  examples: number;
  /**
   * 95% Wilson interval at the mean accuracy with n = `examples`: the uncertainty from the sample of questions,
   * which repeating the run with other seeds on the same questions does not shrink (so seeds are not pooled).
   */
  interval95: [number, number];
}

const accuracyBySuite = (runs: readonly CompareRun[], pick: (r: CompareRun) => EvalRow[]): Record<string, SuiteAccuracy> => {
  const suites = [...new Set(runs.flatMap((r) => pick(r).filter((e) => e.tools === 'on').map((e) => e.suite)))];
  return Object.fromEntries(
    suites.map((s) => {
      const rows = runs.flatMap((r) => pick(r).filter((e) => e.tools === 'on' && e.suite === s));
      const { mean, std } = meanStd(rows.map((e) => e.accuracy));
      const examples = Math.min(...rows.map((e) => e.examples));
      return [s, { mean, std, examples, interval95: wilsonInterval(Math.round(mean * examples), examples) }];
    }),
  );
};

/** The table of `arpo compare`: one line per algorithm, aggregated over seeds. */
export function compareLines(runs: readonly CompareRun[]): CompareLine[] {
  const algorithms = [...new Set(runs.map((r) => r.algorithm))];
  return algorithms.map((algorithm) => {
    const rs = runs.filter((r) => r.algorithm === algorithm);
    const ms = (f: (r: CompareRun) => number) => {
      const { mean, std } = meanStd(rs.map(f));
      return { mean, std };
    };
    return {
      algorithm,
      seeds: rs.length,
      accuracy: accuracyBySuite(rs, (r) => r.after),
      accuracyBefore: accuracyBySuite(rs, (r) => r.before),
      formatErrors: ms((r) => {
        const on = r.after.filter((e) => e.tools === 'on');
        return on.reduce((a, e) => a + e.formatErrorRate * e.examples, 0) / Math.max(1, on.reduce((a, e) => a + e.examples, 0));
      }),
      toolCalls: ms((r) => Object.values(r.summary.trainToolCalls).reduce((a, b) => a + b, 0)),
      tokens: ms((r) => r.summary.trainTokens),
      wallSeconds: ms((r) => r.trainWallMs / 1000),
    };
  });
}

const pct = (x: { mean: number; std: number }): string => `${(100 * x.mean).toFixed(1)} ± ${(100 * x.std).toFixed(1)}`;
const acc = (x: SuiteAccuracy): string =>
  `${(100 * x.mean).toFixed(1)} [${(100 * x.interval95[0]).toFixed(1)}, ${(100 * x.interval95[1]).toFixed(1)}] sd ${(100 * x.std).toFixed(1)}`;
const num = (x: { mean: number; std: number }, digits = 0): string => `${x.mean.toFixed(digits)} ± ${x.std.toFixed(digits)}`;

/**
 * The table as Markdown (printed by `arpo compare` and pasted into the README). Accuracy: mean over seeds, its
 * 95% interval over the question sample, and the sd over seeds; other columns: mean ± sd over seeds.
 */
export function formatCompareTable(lines: readonly CompareLine[]): string {
  const suites = [...new Set(lines.flatMap((l) => Object.keys(l.accuracy)))];
  const header = ['algorithm', 'seeds', ...suites.map((s) => `${s} acc. % before RL`), ...suites.map((s) => `${s} acc. % after RL [95%] sd over seeds`), 'format errors % after RL', 'tool calls in training', 'tokens generated', 'RL wall s'];
  const rows = lines.map((l) => [
    l.algorithm.toUpperCase(),
    String(l.seeds),
    ...suites.map((s) => (l.accuracyBefore[s] ? acc(l.accuracyBefore[s]) : '–')),
    ...suites.map((s) => (l.accuracy[s] ? acc(l.accuracy[s]) : '–')),
    pct(l.formatErrors),
    num(l.toolCalls),
    num(l.tokens),
    num(l.wallSeconds),
  ]);
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
