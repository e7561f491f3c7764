import { describe, expect, it } from 'vitest';
import { SequenceCache } from './sequence-cache.js';
import { FakePolicy } from './testing/fake-policy.js';

const gen = (tokens: number[]) => ({ tokens, logprobs: tokens.map(() => -1), finishReason: 'length' as const });

describe('SequenceCache', () => {
  it('reuses the id whose tokens are the longest prefix; forks it for a second continuation in the same batch', async () => {
    const policy = new FakePolicy();
    const cache = new SequenceCache(policy, 10);
    const first = await cache.assign([[1, 2], [5]]);
    expect(first).toEqual(['seq-1', 'seq-2']);
    await cache.commit(first, [[1, 2], [5]], [gen([3]), gen([6])]);
    // [1,2,3,9] continues seq-1; so does the second row (a branch): it gets a fork; [7] is new.
    const second = await cache.assign([[1, 2, 3, 9], [1, 2, 3, 8], [7]]);
    expect(second).toEqual(['seq-1', 'seq-3', 'seq-4']);
    expect(policy.forks).toEqual([['seq-1', 'seq-3']]);
  });

  it('releases the least recently used sequences beyond the limit, and everything on clear', async () => {
    const policy = new FakePolicy();
    const cache = new SequenceCache(policy, 2);
    for (const p of [[1], [2], [3]]) {
      const ids = await cache.assign([p]);
      await cache.commit(ids, [p], [gen([0])]);
    }
    expect(policy.releases).toEqual(['seq-1']);
    expect(cache.size).toBe(2);
    await cache.clear();
    expect(policy.releases).toEqual(['seq-1', 'seq-2', 'seq-3']);
  });

  it('with maxSequences 0 every row is new and released after use', async () => {
    const policy = new FakePolicy();
    const cache = new SequenceCache(policy, 0);
    const ids = await cache.assign([[1]]);
    await cache.commit(ids, [[1]], [gen([2])]);
    expect(await cache.assign([[1, 2, 3]])).toEqual(['seq-2']);
    expect(policy.releases).toEqual(['seq-1']);
  });
});
