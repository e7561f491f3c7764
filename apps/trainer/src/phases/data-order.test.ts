import { describe, expect, it } from 'vitest';
import { batchAt, permutation } from './data-order.js';

describe('data order', () => {
  it('a permutation holds every index once and depends on the seed', () => {
    const p = permutation(50, 'a');
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(permutation(50, 'a')).toEqual(p);
    expect(permutation(50, 'b')).not.toEqual(p);
  });

  it('batches are consecutive slices of per-epoch permutations, known from the step alone', () => {
    const n = 10;
    const e0 = permutation(n, 's/epoch-0');
    const e1 = permutation(n, 's/epoch-1');
    expect(batchAt(n, 4, 0, 's')).toEqual(e0.slice(0, 4));
    expect(batchAt(n, 4, 1, 's')).toEqual(e0.slice(4, 8));
    // step 2 crosses into epoch 1: positions 8, 9 of epoch 0, then 0, 1 of epoch 1
    expect(batchAt(n, 4, 2, 's')).toEqual([...e0.slice(8, 10), ...e1.slice(0, 2)]);
    // a batch larger than the data wraps over epochs
    expect(batchAt(3, 7, 0, 't')).toEqual([...permutation(3, 't/epoch-0'), ...permutation(3, 't/epoch-1'), permutation(3, 't/epoch-2')[0]]);
    expect(batchAt(0, 4, 0, 's')).toEqual([]);
  });
});
