import { describe, expect, it } from 'vitest';
import type { EvalRow, RunSummaryFile } from '../run-files.js';
import { compareLines, formatCompareTable, meanStd, type CompareRun } from './compare-table.js';

const evalRow = (stage: EvalRow['stage'], suite: string, tools: 'on' | 'off', accuracy: number, formatErrorRate = 0): EvalRow => ({
  type: 'eval', stage, step: 0, split: 'test', suite, tools, examples: 10, accuracy, f1: accuracy, formatErrorRate, toolCallsPerExample: {}, tokensPerExample: 20, elapsedMs: 1,
});
const summary = (toolCalls: Record<string, number>, tokens: number, wallMs: number): RunSummaryFile => ({
  formatVersion: 1, kind: 'train', status: 'completed', steps: 5, wallMs, trainToolCalls: toolCalls, trainTokens: tokens, evaluations: [], lastCheckpoint: null,
});
const run = (algorithm: 'arpo' | 'grpo', seed: number, acc: number, calls: number, tokens: number, wallMs: number): CompareRun => ({
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
      '| algorithm | seeds | knowledge acc. % before RL | knowledge acc. % after RL [95%] sd over seeds | format errors % after RL | tool calls in training | tokens generated | RL wall s |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      // Wilson by hand: 5/10 → [23.66, 76.34]; 7/10 → [39.68, 89.22]
      '| ARPO | 2 | 50.0 [23.7, 76.3] sd 0.0 | 70.0 [39.7, 89.2] sd 14.1 | 20.0 ± 14.1 | 120 ± 28 | 1100 ± 141 | 12 ± 3 |',
      '| GRPO | 1 | 50.0 [23.7, 76.3] sd 0.0 | 70.0 [39.7, 89.2] sd 0.0 | 10.0 ± 0.0 | 200 ± 0 | 2000 ± 0 | 20 ± 0 |',
    ]);
  });
});
