import { createRng } from '@arpo/core';

/** A seeded permutation of 0..n−1 (Fisher–Yates). */
export function permutation(n: number, seed: string): number[] {
  const rng = createRng(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The example indices of step `step` (0-based): consecutive slices of seeded per-epoch permutations, so the batch
 * of any step is known from the step alone (a resumed run needs no saved data cursor beyond the step).
 */
export function batchAt(n: number, batchSize: number, step: number, seed: string): number[] {
  if (n === 0) return [];
  const out: number[] = [];
  let position = step * batchSize;
  const cache = new Map<number, number[]>();
  while (out.length < batchSize) {
    const epoch = Math.floor(position / n);
    let perm = cache.get(epoch);
    if (!perm) cache.set(epoch, (perm = permutation(n, `${seed}/epoch-${epoch}`)));
    out.push(perm[position % n]!);
    position += 1;
  }
  return out;
}
