import { describe, expect, it } from 'vitest';
import { ServerPool } from './server-pool.js';

describe('ServerPool', () => {
  it('sends to the least busy server, round-robin among equals', async () => {
    const pool = new ServerPool(['a', 'b', 'c'], { maxConcurrency: 10, cooldownMs: 1000 });
    const leases = [];
    for (let i = 0; i < 6; i++) leases.push(await pool.acquire());
    expect(leases.map((l) => l.url)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    leases[1]!.release();
    leases[4]!.release(); // b is now idle
    expect((await pool.acquire()).url).toBe('b');
  });

  it('waits for a free slot when every server is at its limit', async () => {
    const pool = new ServerPool(['a'], { maxConcurrency: 1, cooldownMs: 0 });
    const first = await pool.acquire();
    expect(pool.tryAcquire()).toBeUndefined();
    let got = false;
    const second = pool.acquire().then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe(false);
    first.release();
    expect((await second).url).toBe('a');
  });

  it('avoids a failed server during its cooldown and prefers servers a retry has not tried', async () => {
    let now = 0;
    const pool = new ServerPool(['a', 'b'], { maxConcurrency: 10, cooldownMs: 100, now: () => now });
    (await pool.acquire()).release(true); // a failed
    expect(pool.stats()[0]).toMatchObject({ url: 'a', failures: 1, coolingDown: true });
    expect((await pool.acquire()).url).toBe('b');
    expect((await pool.acquire()).url).toBe('b'); // a still cooling down, even though b is busier
    now = 150;
    expect((await pool.acquire()).url).toBe('a');
    expect((await pool.acquire(new Set(['a']))).url).toBe('b'); // untried first
  });

  it('uses a cooling-down server when it is the only one', async () => {
    const pool = new ServerPool(['a'], { maxConcurrency: 2, cooldownMs: 10_000 });
    (await pool.acquire()).release(true);
    expect((await pool.acquire(new Set(['a']))).url).toBe('a');
  });

  it('acquire rejects when its signal aborts while waiting', async () => {
    const pool = new ServerPool(['a'], { maxConcurrency: 1, cooldownMs: 0 });
    await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(undefined, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
