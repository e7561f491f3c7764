import { describe, expect, it } from 'vitest';
import { BatchScheduler, type BatchSchedulerOptions } from './batch-scheduler.js';
import type { CompletionJob } from './completion-job.js';
import { SequenceCache } from './sequence-cache.js';
import { FakePolicy } from './testing/fake-policy.js';

const sampling = { temperature: 1, topP: 1, topK: 0 };

function setup(over: Partial<BatchSchedulerOptions> = {}) {
  const policy = new FakePolicy();
  const scheduler = new BatchScheduler(policy, {
    maxBatchRows: 64,
    batchWindowMs: 5,
    maxBatchWaitMs: 1000,
    seededBatching: 'row-index',
    seed: 0,
    cache: new SequenceCache(policy, 0),
    gapToken: policy.tokenizer.eosTokenId,
    ...over,
  });
  return { policy, scheduler };
}

function job(prompt: number[], seed?: { batch: number; row: number; peers?: number }, over: Partial<CompletionJob> = {}): CompletionJob {
  const j: CompletionJob = { prompts: [prompt], n: 1, maxTokens: 6, sampling, stop: [], logprobs: 2, tokenIdStrings: true, skipSpecialTokens: true, returnEntropy: false, includeStopString: false, ...over };
  if (seed) j.seed = { batch: seed.batch, row: seed.row, own: seed.batch + 1000, peers: seed.peers ?? 1 };
  return j;
}

const prompts = [[1, 2], [3], [4, 5, 6], [7]];

describe('BatchScheduler', () => {
  it('merges concurrent requests of one seeded batch into one generate call, each row at its index', async () => {
    const { policy, scheduler } = setup();
    const direct = await new FakePolicy().generate({ prefixes: prompts, maxNewTokens: 6, sampling, topLogprobs: 2, seed: 11 });
    const served = await Promise.all(prompts.map((p, row) => scheduler.submit(job(p, { batch: 11, row }))));
    expect(policy.calls).toHaveLength(1);
    expect(policy.calls[0]!.prefixes).toEqual(prompts);
    expect(policy.calls[0]!.seed).toBe(11);
    expect(served.map((g) => g[0])).toEqual(direct);
    expect(scheduler.stats()).toMatchObject({ generateCalls: 1, requests: 4, rows: 4, maxRequestsPerCall: 4 });
  });

  it('fills the rows it did not get with zero-token gap rows, so row i keeps its RNG stream', async () => {
    const { policy, scheduler } = setup();
    const direct = await new FakePolicy().generate({ prefixes: prompts, maxNewTokens: 6, sampling, topLogprobs: 2, seed: 11 });
    const served = await Promise.all([scheduler.submit(job(prompts[1]!, { batch: 11, row: 1 })), scheduler.submit(job(prompts[3]!, { batch: 11, row: 3 }))]);
    expect(policy.calls).toHaveLength(1);
    expect(policy.calls[0]!.maxNewTokens).toEqual([0, 6, 0, 6]);
    expect(served.map((g) => g[0])).toEqual([direct[1], direct[3]]);
  });

  it('different seeds or sampling run as separate calls; a taken row index waits for the next round', async () => {
    const { policy, scheduler } = setup();
    await Promise.all([
      scheduler.submit(job([1], { batch: 1, row: 0 })),
      scheduler.submit(job([2], { batch: 2, row: 0 })),
      scheduler.submit(job([3], { batch: 1, row: 0 })), // collides with the first
      scheduler.submit(job([4], { batch: 1, row: 1 }, { sampling: { ...sampling, temperature: 0.5 } })),
    ]);
    expect(policy.calls.map((c) => [c.seed, c.prefixes])).toEqual([
      [1, [[1]]],
      [2, [[2]]],
      [1, [[95], [4]]],
      [1, [[3]]],
    ]);
    expect(scheduler.stats().rounds).toBe(2);
  });

  it('merges unseeded requests densely under a seed of its own', async () => {
    const { policy, scheduler } = setup();
    const out = await Promise.all([scheduler.submit(job([1], undefined, { n: 2 })), scheduler.submit(job([2]))]);
    expect(policy.calls).toHaveLength(1);
    expect(policy.calls[0]!.prefixes).toEqual([[1], [1], [2]]);
    expect(out.map((g) => g.length)).toEqual([2, 1]);
  });

  it('waits for the rows a client announced (arpo_batch_peers), up to maxBatchWaitMs', async () => {
    const { policy, scheduler } = setup({ maxBatchWaitMs: 2000 });
    const first = scheduler.submit(job([1], { batch: 5, row: 0, peers: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(policy.calls).toHaveLength(0);
    await Promise.all([first, scheduler.submit(job([2], { batch: 5, row: 1, peers: 2 }))]);
    expect(policy.calls).toHaveLength(1);

    const quick = setup({ maxBatchWaitMs: 30 });
    const t0 = Date.now();
    await quick.scheduler.submit(job([1], { batch: 5, row: 0, peers: 3 }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(quick.policy.calls).toHaveLength(1);
  });

  it('a failing merged call is retried request by request: only the bad request fails', async () => {
    const { policy, scheduler } = setup();
    policy.failOnToken = 9;
    const [good, bad] = await Promise.allSettled([scheduler.submit(job([1], { batch: 3, row: 0 })), scheduler.submit(job([9], { batch: 3, row: 1 }))]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason.message).toContain('token 9');
    expect(policy.calls).toHaveLength(3);
  });

  it("seededBatching 'separate' runs each seeded request alone with its own seed", async () => {
    const { policy, scheduler } = setup({ seededBatching: 'separate' });
    await Promise.all([scheduler.submit(job([1], { batch: 3, row: 0 })), scheduler.submit(job([2], { batch: 3, row: 1 }))]);
    expect(policy.calls.map((c) => [c.seed, c.prefixes])).toEqual([
      [1003, [[1]]],
      [1003, [[2]]],
    ]);
  });

  it('cuts top-k to what each request asked and adds entropies only when asked', async () => {
    const { scheduler } = setup();
    const [a, b] = await Promise.all([
      scheduler.submit(job([1], { batch: 4, row: 0 }, { logprobs: 1 })),
      scheduler.submit(job([2], { batch: 4, row: 1 }, { logprobs: 3, returnEntropy: true })),
    ]);
    expect(a![0]!.topLogprobs!.every((c) => c.length === 1)).toBe(true);
    expect(a![0]!.entropies).toBeUndefined();
    expect(b![0]!.topLogprobs!.every((c) => c.length === 3)).toBe(true);
    expect(b![0]!.entropies).toBeDefined();
  });
});
