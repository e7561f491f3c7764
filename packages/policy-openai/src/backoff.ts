import { ArpoError, type Rng } from '@arpo/core';
import type { RetryConfig } from './retry-config.js';

/**
 * Delay before retry number `retry` (1 = the first retry): min(maxDelayMs, initialDelayMs · factor^(retry − 1)),
 * and with `jitter: 'full'` a uniform draw in [0, that] from `rng`.
 */
export function backoffDelay(retry: number, config: Pick<RetryConfig, 'initialDelayMs' | 'maxDelayMs' | 'factor' | 'jitter'>, rng?: Rng): number {
  const delay = Math.min(config.maxDelayMs, config.initialDelayMs * config.factor ** Math.max(0, retry - 1));
  if (config.jitter === 'none') return delay;
  if (!rng) throw new ArpoError("backoffDelay: jitter 'full' needs an rng");
  return rng.next() * delay;
}

/** Resolves after `ms` (immediately for 0), rejecting with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
