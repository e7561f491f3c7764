import { describe, expect, it } from 'vitest';
import { shardMicroBatches } from './gradient-shards.js';

const m = (rows: number, cols: number) => ({ shape: [rows, cols] as [number, number] });

describe('shardMicroBatches', () => {
  it('splits equal micro-batches evenly and in order', () => {
    expect(shardMicroBatches([m(4, 10), m(4, 10), m(4, 10), m(4, 10)], 2)).toEqual([[0, 1], [2, 3]]);
  });

  it('balances the padded cost: [100, 10, 10, 10, 70] over 2 lanes is {100} | {10, 10, 10, 70} (max 100)', () => {
    // By hand: cut after 0 → max(100, 100) = 100; after 1 → max(110, 90) = 110; the first cut is best.
    expect(shardMicroBatches([m(1, 100), m(1, 10), m(1, 10), m(1, 10), m(1, 70)], 2)).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('gives fewer runs than lanes when there are fewer micro-batches, and none for none', () => {
    expect(shardMicroBatches([m(2, 3)], 4)).toEqual([[0]]);
    expect(shardMicroBatches([m(2, 3), m(2, 3)], 4)).toEqual([[0], [1]]);
    expect(shardMicroBatches([], 2)).toEqual([]);
  });

  it('keeps everything in one run for one lane, and rejects a bad lane count', () => {
    expect(shardMicroBatches([m(1, 1), m(1, 1), m(1, 1)], 1)).toEqual([[0, 1, 2]]);
    expect(() => shardMicroBatches([m(1, 1)], 0)).toThrow(/lanes = 0 \(expected an integer >= 1\)/);
  });
});
