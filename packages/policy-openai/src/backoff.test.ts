import { createRng } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.js';

const config = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 };

describe('backoffDelay', () => {
  it('grows exponentially up to the cap without jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(r, { ...config, jitter: 'none' }))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('full jitter: a seeded uniform draw in [0, delay], reproducible', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return [1, 2, 3, 4].map((r) => backoffDelay(r, { ...config, jitter: 'full' }, rng));
    };
    const first = draw(5);
    expect(draw(5)).toEqual(first);
    expect(draw(6)).not.toEqual(first);
    first.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** i));
    });
  });

  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
  });
});
