import type { RolloutConfigInput } from '@arpo/core';
import { EntropyTracker } from '@arpo/entropy';
import type { Script } from '@arpo/testing';

/** Calls `search` `calls` times (one per segment), then answers with EOS. Each segment's first entropy is `h`. */
export function searcher(calls: number, h = 1): Script {
  return (response) => {
    const made = (response.match(/<\/search>/g) ?? []).length;
    if (made < calls) return { text: `<search>q${made}</search>`, finish: 'stop', entropies: [h] };
    return { text: '<answer>A</answer>', finish: 'eos', entropies: [h] };
  };
}

/** Exact-entropy config: H = the first position's entropy (full source, k = 1, sum, no normalisation). */
export const exact: RolloutConfigInput = { entropySource: 'full', entropyWindow: 1, entropyNormalization: 'none', topLogprobs: 0 };

/** A persistent-slot tracker whose slots 0..n−1 already have baseline `h0` (the reference's stale baselines). */
export function seededTracker(n: number, h0: number): EntropyTracker {
  const tracker = new EntropyTracker({ baselineReset: 'persistent-slot' });
  for (let slot = 0; slot < n; slot++) tracker.observe(slot, h0);
  return tracker;
}
