import { wilsonInterval } from '../phases/wilson-interval.js';
import { pairedDifference, type PairedDifference } from './paired-difference.js';
import type { Algorithm, EvalRow, RunSummaryFile } from '../run-files.js';

/** One finished training run of a comparison. */
export interface CompareRun {
  algorithm: Algorithm;
  /** A swept setting of this run, e.g. `rollout.branchProbability=0.2` (absent: the base config). */
  variant?: string;
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
  /** The swept setting (absent: the base config). */
  variant?: string;
  /** `ARPO` or `ARPO rollout.branchProbability=0.2`. */
  label: string;
  seeds: number;
  /** The seeds, ascending. */
  seedList: number[];
  /** Tools-on accuracy after RL by suite, per seed (in `seedList` order). */
  accuracyPerSeed: Record<string, number[]>;
  /**
   * Accuracy after RL minus GRPO's (base config) by suite, paired by seed, with the 95% t-interval over seeds (null
   * for GRPO itself or without a GRPO run).
   */
  vsGrpo: Record<string, PairedDifference> | null;
  /** Training tool calls and tokens as a multiple of GRPO's (means over seeds; null without a GRPO run). */
  toolCallsRatio: number | null;
  tokensRatio: number | null;
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

/** `ARPO`, or `ARPO <variant>` for a swept setting. */
export function runLabel(r: Pick<CompareRun, 'algorithm' | 'variant'>): string {
  return r.variant ? `${r.algorithm.toUpperCase()} ${r.variant}` : r.algorithm.toUpperCase();
}

/** Tools-on accuracy after RL of one suite by seed. */
const accuracyBySeed = (runs: readonly CompareRun[], suite: string): Map<number, number> =>
  new Map(runs.flatMap((r) => r.after.filter((e) => e.tools === 'on' && e.suite === suite).map((e) => [r.seed, e.accuracy] as [number, number])));

const totalToolCalls = (r: CompareRun): number => Object.values(r.summary.trainToolCalls).reduce((a, b) => a + b, 0);

/** The table of `arpo compare`: one line per algorithm (and swept setting), aggregated over seeds. */
export function compareLines(runs: readonly CompareRun[]): CompareLine[] {
  const labels = [...new Set(runs.map(runLabel))];
  const grpo = runs.filter((r) => r.algorithm === 'grpo' && !r.variant);
  const grpoCalls = grpo.length ? meanStd(grpo.map(totalToolCalls)).mean : null;
  const grpoTokens = grpo.length ? meanStd(grpo.map((r) => r.summary.trainTokens)).mean : null;
  return labels.map((label) => {
    const rs = runs.filter((r) => runLabel(r) === label).sort((a, b) => a.seed - b.seed);
    const ms = (f: (r: CompareRun) => number) => {
      const { mean, std } = meanStd(rs.map(f));
      return { mean, std };
    };
    const accuracy = accuracyBySuite(rs, (r) => r.after);
    const suites = Object.keys(accuracy);
    const isBase = rs[0]!.algorithm === 'grpo' && !rs[0]!.variant;
    const toolCalls = ms(totalToolCalls);
    const tokens = ms((r) => r.summary.trainTokens);
    return {
      algorithm: rs[0]!.algorithm,
      ...(rs[0]!.variant ? { variant: rs[0]!.variant } : {}),
      label,
      seeds: rs.length,
      seedList: rs.map((r) => r.seed),
      accuracy,
      accuracyPerSeed: Object.fromEntries(suites.map((s) => [s, rs.map((r) => accuracyBySeed([r], s).get(r.seed) ?? NaN)])),
      vsGrpo: isBase || grpo.length === 0 ? null : Object.fromEntries(suites.map((s) => [s, pairedDifference(accuracyBySeed(rs, s), accuracyBySeed(grpo, s))])),
      accuracyBefore: accuracyBySuite(rs, (r) => r.before),
      formatErrors: ms((r) => {
        const on = r.after.filter((e) => e.tools === 'on');
        return on.reduce((a, e) => a + e.formatErrorRate * e.examples, 0) / Math.max(1, on.reduce((a, e) => a + e.examples, 0));
      }),
      toolCalls,
      tokens,
      toolCallsRatio: grpoCalls ? toolCalls.mean / grpoCalls : null,
      tokensRatio: grpoTokens ? tokens.mean / grpoTokens : null,
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
  const withGrpo = lines.some((l) => l.vsGrpo !== null);
  const header = [
    'algorithm',
    'seeds',
    ...suites.map((s) => `${s} acc. % before RL`),
    ...suites.map((s) => `${s} acc. % after RL [95%] sd over seeds`),
    ...(withGrpo ? suites.map((s) => `${s} Δ vs GRPO, points [95% t over seeds]`) : []),
    'format errors % after RL',
    'tool calls in training',
    ...(withGrpo ? ['× GRPO'] : []),
    'tokens generated',
    ...(withGrpo ? ['× GRPO'] : []),
    'RL wall s',
  ];
  const diff = (d: PairedDifference | undefined): string => {
    if (!d || !Number.isFinite(d.mean)) return '–';
    const f = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
    return d.interval95 ? `${f(d.mean)} [${f(d.interval95[0])}, ${f(d.interval95[1])}]` : f(d.mean);
  };
  const ratio = (x: number | null): string => (x === null ? '–' : `${x.toFixed(2)}×`);
  const rows = lines.map((l) => [
    l.label,
    String(l.seeds),
    ...suites.map((s) => (l.accuracyBefore[s] ? acc(l.accuracyBefore[s]) : '–')),
    ...suites.map((s) => (l.accuracy[s] ? acc(l.accuracy[s]) : '–')),
    ...(withGrpo ? suites.map((s) => diff(l.vsGrpo?.[s])) : []),
    pct(l.formatErrors),
    num(l.toolCalls),
    ...(withGrpo ? [ratio(l.toolCallsRatio)] : []),
    num(l.tokens),
    ...(withGrpo ? [ratio(l.tokensRatio)] : []),
    num(l.wallSeconds),
  ]);
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
