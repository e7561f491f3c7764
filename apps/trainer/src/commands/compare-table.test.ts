import { describe, expect, it } from 'vitest';
import type { EvalRow, RunSummaryFile } from '../run-files.js';
import { compareLines, formatCompareTable, meanStd, type CompareRun } from './compare-table.js';

const evalRow = (stage: EvalRow['stage'], suite: string, tools: 'on' | 'off', accuracy: number, formatErrorRate = 0): EvalRow => ({
  type: 'eval', stage, step: 0, split: 'test', suite, tools, examples: 10, accuracy, f1: accuracy, formatErrorRate, toolCallsPerExample: {}, tokensPerExample: 20, elapsedMs: 1,
});
const summary = (toolCalls: Record<string, number>, tokens: number, wallMs: number): RunSummaryFile => ({
  formatVersion: 1, kind: 'train', status: 'completed', steps: 5, wallMs, trainToolCalls: toolCalls, trainTokens: tokens, evaluations: [], lastCheckpoint: null,
});
const run = (algorithm: 'arpo' | 'grpo' | 'aepo', seed: number, acc: number, calls: number, tokens: number, wallMs: number): CompareRun => ({
  algorithm, seed, dir: `${algorithm}-${seed}`, summary: summary({ search: calls }, tokens, wallMs),
  before: [evalRow('before-rl', 'knowledge', 'on', 0.5)], after: [evalRow('after-rl', 'knowledge', 'on', acc, seed === 0 ? 0.1 : 0.3), evalRow('after-rl', 'knowledge', 'off', 0, 0.9)],
  trainWallMs: wallMs,
});

describe('compare table', () => {
  it('mean and sample std', () => {
    expect(meanStd([2, 4, 6])).toEqual({ mean: 4, std: 2, n: 3 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
  });

  it('aggregates each algorithm over seeds (tools-on accuracy, tool calls, tokens, wall time)', () => {
    const lines = compareLines([run('arpo', 0, 0.6, 100, 1000, 10_000), run('arpo', 1, 0.8, 140, 1200, 14_000), run('grpo', 0, 0.7, 200, 2000, 20_000)]);
    expect(lines).toHaveLength(2);
    const arpo = lines[0]!;
    expect(arpo.algorithm).toBe('arpo');
    expect(arpo.accuracy['knowledge']!.mean).toBeCloseTo(0.7, 12);
    expect(arpo.accuracy['knowledge']!.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(arpo.accuracy['knowledge']!.examples).toBe(10);
    expect(arpo.accuracy['knowledge']!.interval95[0]).toBeCloseTo(0.3967732, 6);
    expect(arpo.toolCalls).toEqual({ mean: 120, std: Math.sqrt(800) });
    expect(arpo.wallSeconds.mean).toBe(12);
    expect(arpo.formatErrors.mean).toBeCloseTo(0.2, 12); // tools-on rows only: seeds 0.1 and 0.3
    expect(formatCompareTable(lines).split('\n')).toEqual([
      '| algorithm | seeds | knowledge acc. % before RL | knowledge acc. % after RL [95%] sd over seeds | knowledge Δ vs GRPO, points [95% t over seeds] | format errors % after RL | tool calls in training | × GRPO | tokens generated | × GRPO | RL wall s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      // Wilson by hand: 5/10 → [23.66, 76.34]; 7/10 → [39.68, 89.22]. ARPO − GRPO paired on seed 0 only: 60 − 70 (one pair:
      // no interval); tool calls 120 / 200, tokens 1100 / 2000.
      '| ARPO | 2 | 50.0 [23.7, 76.3] sd 0.0 | 70.0 [39.7, 89.2] sd 14.1 | -10.0 | 20.0 ± 14.1 | 120 ± 28 | 0.60× | 1100 ± 141 | 0.55× | 12 ± 3 |',
      '| GRPO | 1 | 50.0 [23.7, 76.3] sd 0.0 | 70.0 [39.7, 89.2] sd 0.0 | – | 10.0 ± 0.0 | 200 ± 0 | 1.00× | 2000 ± 0 | 1.00× | 20 ± 0 |',
    ]);
  });

  it('pairs every algorithm with GRPO by seed (t-interval), keeps swept settings apart and lists accuracy per seed', () => {
    const runs = [
      run('grpo', 0, 0.6, 200, 2000, 1), run('grpo', 1, 0.7, 200, 2000, 1), run('grpo', 2, 0.8, 200, 2000, 1),
      run('aepo', 0, 0.7, 100, 1000, 1), run('aepo', 1, 0.7, 80, 1000, 1), run('aepo', 2, 1.0, 120, 1000, 1),
      { ...run('arpo', 0, 0.5, 50, 500, 1), variant: 'rollout.branchProbability=0.2' },
    ];
    const lines = compareLines(runs);
    expect(lines.map((l) => l.label)).toEqual(['GRPO', 'AEPO', 'ARPO rollout.branchProbability=0.2']);
    const aepo = lines[1]!;
    expect(aepo.seedList).toEqual([0, 1, 2]);
    expect(aepo.accuracyPerSeed['knowledge']).toEqual([0.7, 0.7, 1.0]);
    // d = [0.1, 0.0, 0.2]: mean 0.1, s = 0.1, t(2) = 4.303 → half-width 4.303·0.1/√3 = 0.248434
    const d = aepo.vsGrpo!['knowledge']!;
    expect(d.pairs).toBe(3);
    expect(d.mean).toBeCloseTo(0.1, 12);
    expect(d.interval95![1] - d.mean).toBeCloseTo(0.2484339, 6);
    expect(aepo.toolCallsRatio).toBeCloseTo(0.5, 12);
    expect(lines[0]!.vsGrpo).toBeNull();
    expect(lines[2]!.variant).toBe('rollout.branchProbability=0.2');
    expect(lines[2]!.vsGrpo!['knowledge']!.pairs).toBe(1);
    expect(formatCompareTable(lines).split('\n')[3]).toContain('| +10.0 [-14.8, +34.8] |');
  });
});
