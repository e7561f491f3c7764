import { ArpoError, createRng, type Generation, type Policy, type Rng } from '@arpo/core';
import { sleep } from './backoff.js';
import { jobRows, type CompletionJob } from './completion-job.js';
import type { SequenceCache } from './sequence-cache.js';

/** How seeded requests are merged. */
export type SeededBatching =
  /**
   * Requests with the same batch seed (`arpo_batch_seed`, else `seed`) share one `generate` call, each row at
   * its batch index (`arpo_batch_row`; gaps are rows with `maxNewTokens` 0). Exact for policies whose row i
   * depends only on (seed, i, prefix i), as `TfjsPolicy` documents (one RNG stream per row index).
   */
  | 'row-index'
  /** Every seeded request runs alone, seeded with its own `seed`: exact for any policy, no merging. */
  | 'separate';

/** Settings of a {@link BatchScheduler}. */
export interface BatchSchedulerOptions {
  /** Rows (prompts × n) per `generate` call at most; a single larger request still runs alone. */
  maxBatchRows: number;
  /** How long an idle scheduler waits for more requests before it starts a round, ms. */
  batchWindowMs: number;
  /**
   * How long a seeded batch waits for the rest of its rows when a client announced them (`arpo_batch_peers`), ms;
   * after that it runs with the rows that came.
   */
  maxBatchWaitMs: number;
  /** How seeded requests are merged. */
  seededBatching: SeededBatching;
  /** Seed of the batch seeds of unseeded requests. */
  seed: number;
  /** Prefix cache naming the rows' sequences. */
  cache: SequenceCache;
  /** A valid token id for the one-token prefix of gap rows. */
  gapToken: number;
}

/** Counters of a {@link BatchScheduler}. */
export interface SchedulerStats {
  /** Scheduling rounds run. */
  rounds: number;
  /** `policy.generate` calls. */
  generateCalls: number;
  /** Requests completed or failed. */
  requests: number;
  /** Rows generated (prompts × n of the requests). */
  rows: number;
  /** Largest number of requests merged into one call. */
  maxRequestsPerCall: number;
}

interface Pending {
  job: CompletionJob;
  /** Arrival time, ms. */
  arrived: number;
  rows: number[][];
  resolve: (generations: Generation[]) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  seed: number;
  /** Rows announced by the clients (`arpo_batch_peers`); the batch waits for them. */
  expected: number;
  entries: { pending: Pending; start: number }[];
  occupied: Set<number>;
  rows: number;
  length: number;
}

/**
 * Continuous batching at round granularity: requests wait in a queue; each round takes every queued request
 * that can join, merges compatible ones (same sampling parameters and stop strings, and the same batch seed
 * for seeded ones, see {@link SeededBatching}) into one `policy.generate` call, and the next round takes what
 * arrived meanwhile. A failing merged call is retried request by request, so one bad request fails alone.
 */
export class BatchScheduler {
  private queue: Pending[] = [];
  private running = false;
  private wake: (() => void) | undefined;
  private readonly rng: Rng;
  private separateKey = 0;
  private readonly counters: SchedulerStats = { rounds: 0, generateCalls: 0, requests: 0, rows: 0, maxRequestsPerCall: 0 };

  constructor(
    private readonly policy: Policy,
    private readonly options: BatchSchedulerOptions,
  ) {
    this.rng = createRng(options.seed);
  }

  /** Queues a request; resolves with its generations in choice order (prompt-major, n per prompt). */
  submit(job: CompletionJob): Promise<Generation[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, arrived: Date.now(), rows: jobRows(job), resolve, reject });
      const wake = this.wake;
      this.wake = undefined;
      if (wake) wake();
      else void this.pump();
    });
  }

  /** Counters so far. */
  stats(): SchedulerStats {
    return { ...this.counters };
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await sleep(this.options.batchWindowMs);
      for (;;) {
        const { ready, wakeAt } = this.takeRound(Date.now());
        if (ready.length > 0) {
          this.counters.rounds += 1;
          for (const batch of ready) {
            // run() settles its requests; anything it did not expect fails the batch's requests, not the loop.
            await this.run(batch).catch((error: unknown) => batch.entries.forEach((e) => e.pending.reject(error)));
          }
          continue;
        }
        if (this.queue.length === 0) break;
        await this.idle(wakeAt - Date.now()); // a batch waits for announced rows: until they come or the deadline
      }
    } finally {
      this.running = false;
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, Math.max(0, ms));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Groups the queue into this round's batches; requests that cannot join stay queued in order, and so do
   * batches still waiting for announced rows (`wakeAt` is the earliest deadline of those).
   */
  private takeRound(now: number): { ready: Batch[]; wakeAt: number } {
    const batches = new Map<string, Batch>();
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const { job } = p;
      const params = JSON.stringify([job.sampling.temperature, job.sampling.topP, job.sampling.topK, job.stop]);
      const byRow = job.seed !== undefined && this.options.seededBatching === 'row-index';
      const key = job.seed === undefined ? `free|${params}` : byRow ? `seed:${job.seed.batch}|${params}` : `alone:${++this.separateKey}`;
      let batch = batches.get(key);
      const count = p.rows.length;
      if (batch && batch.rows + count > this.options.maxBatchRows) {
        rest.push(p);
        continue;
      }
      const start = byRow ? job.seed!.row : (batch?.length ?? 0);
      if (batch && range(start, count).some((i) => batch!.occupied.has(i))) {
        rest.push(p); // same batch index taken by another request: next round
        continue;
      }
      if (!batch) {
        const seed = job.seed === undefined ? this.rng.nextUint32() : byRow ? job.seed.batch : job.seed.own;
        batch = { seed, expected: 0, entries: [], occupied: new Set(), rows: 0, length: 0 };
        batches.set(key, batch);
      }
      for (const i of range(start, count)) batch.occupied.add(i);
      batch.entries.push({ pending: p, start });
      if (byRow) batch.expected = Math.max(batch.expected, job.seed!.peers);
      batch.rows += count;
      batch.length = Math.max(batch.length, start + count);
    }
    const ready: Batch[] = [];
    const waiting = new Set<Pending>(rest);
    let wakeAt = Infinity;
    for (const batch of batches.values()) {
      const deadline = Math.min(...batch.entries.map((e) => e.pending.arrived)) + this.options.maxBatchWaitMs;
      if (batch.rows < batch.expected && now < deadline) {
        for (const e of batch.entries) waiting.add(e.pending);
        wakeAt = Math.min(wakeAt, deadline);
      } else {
        ready.push(batch);
      }
    }
    this.queue = this.queue.filter((p) => waiting.has(p));
    return { ready, wakeAt };
  }

  private async run(batch: Batch): Promise<void> {
    const { entries } = batch;
    const first = entries[0]!.pending.job;
    const prefixes: number[][] = Array.from({ length: batch.length }, () => [this.options.gapToken]);
    const maxNewTokens: number[] = new Array<number>(batch.length).fill(0);
    const sequenceIds: string[] = Array.from({ length: batch.length }, (_, i) => `gap-${i}`);
    const real: number[] = [];
    for (const { pending, start } of entries) {
      pending.rows.forEach((prefix, r) => {
        prefixes[start + r] = prefix;
        maxNewTokens[start + r] = pending.job.maxTokens;
        real.push(start + r);
      });
    }
    const ids = await this.options.cache.assign(real.map((i) => prefixes[i]!));
    real.forEach((i, j) => (sequenceIds[i] = ids[j]!));
    const topLogprobs = Math.max(0, ...entries.map((e) => e.pending.job.logprobs ?? 0));
    const returnEntropy = entries.some((e) => e.pending.job.returnEntropy);
    let generations: Generation[];
    try {
      this.counters.generateCalls += 1;
      this.counters.maxRequestsPerCall = Math.max(this.counters.maxRequestsPerCall, entries.length);
      generations = await this.policy.generate({
        prefixes,
        sequenceIds,
        maxNewTokens,
        ...(first.stop.length > 0 ? { stop: first.stop } : {}),
        sampling: first.sampling,
        topLogprobs,
        returnEntropy,
        seed: batch.seed,
      });
      if (generations.length !== prefixes.length) {
        throw new ArpoError(`policy.generate returned ${generations.length} generations for ${prefixes.length} prefixes`);
      }
    } catch (error) {
      await this.options.cache.discard(ids);
      if (entries.length > 1) {
        for (const entry of entries) await this.run(single(batch, entry));
      } else {
        this.counters.requests += 1;
        entries[0]!.pending.reject(error);
      }
      return;
    }
    await this.options.cache.commit(ids, real.map((i) => prefixes[i]!), real.map((i) => generations[i]!));
    for (const { pending, start } of entries) {
      this.counters.requests += 1;
      this.counters.rows += pending.rows.length;
      pending.resolve(generations.slice(start, start + pending.rows.length).map((g) => trim(g, pending.job)));
    }
  }
}

function single(batch: Batch, entry: Batch['entries'][number]): Batch {
  const n = entry.pending.rows.length;
  return { seed: batch.seed, expected: 0, entries: [entry], occupied: new Set(range(entry.start, n)), rows: n, length: entry.start + n };
}

/** A row's generation as its request asked: top-k cut to its k, entropies only when asked. */
function trim(g: Generation, job: CompletionJob): Generation {
  const out: Generation = { tokens: g.tokens, logprobs: g.logprobs, finishReason: g.finishReason };
  if (g.stopString !== undefined) out.stopString = g.stopString;
  if (job.returnEntropy && g.entropies) out.entropies = g.entropies;
  if ((job.logprobs ?? 0) > 0 && g.topLogprobs) out.topLogprobs = g.topLogprobs.map((c) => c.slice(0, job.logprobs!));
  return out;
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
