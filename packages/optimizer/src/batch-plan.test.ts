import { describe, expect, it } from 'vitest';
import { planMiniBatches, splitMicroBatches } from './batch-plan.js';

describe('planMiniBatches', () => {
  it('groups whole prompts (in order of first appearance) and splits into micro-batches', () => {
    const samples = ['a', 'b', 'a', 'c', 'b', 'c', 'd', 'a'].map((promptId) => ({ promptId }));
    const plan = planMiniBatches(samples, 2, 2);
    expect(plan.map((p) => p.promptIds)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(plan[0]!.samples).toEqual([0, 2, 7, 1, 4]);
    expect(plan[0]!.microBatches).toEqual([[0, 2], [7, 1], [4]]);
    expect(plan[1]!.microBatches).toEqual([[3, 5], [6]]);
  });
  it('validates sizes', () => {
    expect(() => planMiniBatches([], 0, 1)).toThrow(/miniBatchSize = 0/);
  });
});

describe('splitMicroBatches', () => {
  it('cuts indices into consecutive runs of at most microBatchSize', () => {
    expect(splitMicroBatches([4, 5, 6, 7, 8], 2)).toEqual([[4, 5], [6, 7], [8]]);
    expect(splitMicroBatches([1, 2], 5)).toEqual([[1, 2]]);
    expect(splitMicroBatches([], 3)).toEqual([]);
    expect(() => splitMicroBatches([1], 0)).toThrow(/microBatchSize = 0/);
  });
});
