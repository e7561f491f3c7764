import { ArpoConfigError, ArpoError, createRng, type Rng } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { topKEntropyBounds } from './top-k-entropy-bounds.js';

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function entropy(p: readonly number[]): number {
  return p.reduce((h, x) => (x > 0 ? h - x * Math.log(x) : h), 0);
}

/** A random distribution over V tokens: softmax of scaled normals or a power law, some entries exactly 0. */
function randomDistribution(rng: Rng, vocab: number): number[] {
  const shape = rng.int(4);
  if (shape === 3) {
    const a = 0.5 + 2 * rng.next();
    return softmax(rng.shuffle(Array.from({ length: vocab }, (_, j) => -a * Math.log(j + 1))));
  }
  const scale = [0.1, 1, 4, 12][rng.int(4)]!;
  const p = softmax(Array.from({ length: vocab }, () => scale * rng.normal()));
  if (shape === 2) {
    // Zero out a random tail, renormalise.
    const sorted = [...p].sort((a, b) => a - b);
    const cut = sorted[rng.int(vocab)]!;
    const kept = p.map((x) => (x >= cut ? x : 0));
    const s = kept.reduce((a, b) => a + b, 0);
    return kept.map((x) => x / s);
  }
  return p;
}

/** The top-k log-probs of p, in random order (the bounds must not depend on order). */
function topK(rng: Rng, p: readonly number[], k: number): number[] {
  return rng.shuffle([...p].sort((a, b) => b - a).slice(0, k).map(Math.log));
}

describe('topKEntropyBounds', () => {
  it('brackets the full entropy of 600 random distributions (seeded)', () => {
    const rng = createRng('topk-bounds');
    for (let trial = 0; trial < 600; trial++) {
      const vocab = 2 + rng.int(trial < 500 ? 400 : 5000);
      const p = randomDistribution(rng, vocab);
      const h = entropy(p);
      const k = rng.int(Math.min(vocab, 25) + 1);
      const lps = topK(rng, p, k);
      const { lower, upper } = topKEntropyBounds(lps, vocab);
      const tol = 1e-12 * Math.max(1, h);
      expect(lower, `trial ${trial}: V=${vocab} k=${k}`).toBeLessThanOrEqual(h + tol);
      expect(upper, `trial ${trial}: V=${vocab} k=${k}`).toBeGreaterThanOrEqual(h - tol);
      // The gap is at most the upper bound's missing term q·ln((V−k)/q).
      const q = Math.max(0, 1 - lps.reduce((s, lp) => s + Math.exp(lp), 0));
      const gapMax = q > 0 && vocab > k ? q * Math.log((vocab - k) / q) : 0;
      expect(upper - lower).toBeLessThanOrEqual(gapMax + 1e-12);
    }
  });

  it('closes on H as the missing mass q → 0', () => {
    const vocab = 50_000;
    const k = 20;
    const rng = createRng('tight');
    let previousGap = Infinity;
    for (const q of [0.3, 1e-2, 1e-4, 1e-8, 1e-12]) {
      // Top k: random weights summing to 1 − q; the other V − k tokens: random weights summing to q.
      const head = Array.from({ length: k }, () => 1 + rng.next());
      const tail = Array.from({ length: vocab - k }, () => rng.next());
      const hs = head.reduce((a, b) => a + b, 0);
      const ts = tail.reduce((a, b) => a + b, 0);
      const p = [...head.map((x) => ((1 - q) * x) / hs), ...tail.map((x) => (q * x) / ts)];
      const h = entropy(p);
      const { lower, upper } = topKEntropyBounds(topK(rng, p, k), vocab);
      expect(lower).toBeLessThanOrEqual(h + 1e-12);
      expect(upper).toBeGreaterThanOrEqual(h - 1e-12);
      expect(upper - lower).toBeLessThanOrEqual(q * Math.log((vocab - k) / q) + 1e-15);
      expect(upper - lower).toBeLessThan(previousGap);
      previousGap = upper - lower;
    }
    expect(previousGap).toBeLessThan(1e-9);
  });

  it('is exact when the candidates are the whole distribution (q = 0)', () => {
    const p = [0.5, 0.3, 0.2];
    const { lower, upper } = topKEntropyBounds(p.map(Math.log), 3);
    expect(lower).toBe(upper);
    expect(lower).toBeCloseTo(entropy(p), 15);
    // Rounding that puts Σp slightly above 1 is read as q = 0.
    const b = topKEntropyBounds([Math.log(0.5) + 1e-9, Math.log(0.5)], 10);
    expect(b.lower).toBe(b.upper);
  });

  it('is sharp: both bounds are attained (hand-computed, V = 4, top-1 p = 1/2)', () => {
    // q = 1/2 over m = 3 tokens each ≤ 1/2. Upper: ½ln2 + ½ln(3/½) = ½ln2 + ½ln6, attained by (½, ⅙, ⅙, ⅙).
    // Lower: ⌊q/p_min⌋ = 1 piece of ½, remainder 0 → ½ln2 + ½ln2 = ln 2, attained by (½, ½, 0, 0).
    const { lower, upper } = topKEntropyBounds([Math.log(0.5)], 4);
    expect(upper).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(6), 15);
    expect(upper).toBeCloseTo(entropy([0.5, 1 / 6, 1 / 6, 1 / 6]), 15);
    expect(lower).toBeCloseTo(Math.log(2), 15);
    expect(lower).toBeCloseTo(entropy([0.5, 0.5, 0, 0]), 15);
  });

  it('uses the greedy split with a remainder (V = 5, top-2 = 0.4, 0.25)', () => {
    // q = 0.35, p_min = 0.25: one piece of 0.25 plus r = 0.1. Known terms K = h(0.4) + h(0.25).
    const hh = (x: number) => -x * Math.log(x);
    const K = hh(0.4) + hh(0.25);
    const { lower, upper } = topKEntropyBounds([Math.log(0.25), Math.log(0.4)], 5);
    expect(lower).toBeCloseTo(K + hh(0.25) + hh(0.1), 14);
    expect(upper).toBeCloseTo(K + 0.35 * Math.log(3 / 0.35), 14);
  });

  it('with no candidates bounds H by [0, ln V]', () => {
    const { lower, upper } = topKEntropyBounds([], 1000);
    expect(lower).toBe(0);
    expect(upper).toBeCloseTo(Math.log(1000), 14);
  });

  it('clamps missing mass that the other tokens cannot hold (rounding) to the feasible maximum', () => {
    // A top log-prob of −1e-7 next to a k-th of −80: q ≈ 1e-7 but V−k tokens of ≤ e^−80 hold ~1e-30.
    const { lower, upper } = topKEntropyBounds([-1e-7, -80], 100);
    expect(Number.isFinite(lower) && Number.isFinite(upper)).toBe(true);
    expect(upper - lower).toBeLessThan(1e-25);
  });

  it('needs the true top-k: an extra sampled token below the top k would make the lower bound invalid', () => {
    // p = (0.5, 0.3, 0.19, 0.01, 0, …), V = 100. Top-2 plus the sampled 0.01 token caps the missing tokens at
    // 0.01 although the 0.19 token is missing: the "lower bound" would exceed H. Hence the precondition.
    const p = [0.5, 0.3, 0.19, 0.01, ...new Array<number>(96).fill(0)];
    const h = entropy(p);
    expect(topKEntropyBounds([0.5, 0.3].map(Math.log), 100).lower).toBeLessThanOrEqual(h);
    expect(topKEntropyBounds([0.5, 0.3, 0.01].map(Math.log), 100).lower).toBeGreaterThan(h);
  });

  it('rejects invalid inputs', () => {
    expect(() => topKEntropyBounds([Math.log(0.6), Math.log(0.6)], 10)).toThrow(ArpoError);
    expect(() => topKEntropyBounds([Math.log(0.6), Math.log(0.6)], 10)).toThrow('sum to');
    expect(() => topKEntropyBounds([-1, -2, -3], 2)).toThrow(ArpoConfigError);
    expect(() => topKEntropyBounds([-1, -2, -3], 2)).toThrow('vocabSize = 2');
    expect(() => topKEntropyBounds([-1, NaN], 10)).toThrow('topLogprobs[1] = NaN');
    expect(() =>
      topKEntropyBounds(
        [
          { token: 3, logprob: -1 },
          { token: 3, logprob: -2 },
        ],
        10,
      ),
    ).toThrow('topLogprobs[1] repeats token 3');
  });
});
