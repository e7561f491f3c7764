import { ArpoError } from '@arpo/core';
import { checkInteger } from './checks.js';
import { candidateLogprobs, type TopLogprobs } from './top-k-entropy.js';

/** Bounds on the full-vocabulary entropy H_t (paper Eq. 3), in nats. */
export interface EntropyBounds {
  lower: number;
  upper: number;
}

/** Σ p_i beyond 1 that is accepted as rounding of the top-k log-probs (more throws). */
const MASS_TOLERANCE = 1e-6;

/**
 * Bounds on the full-distribution entropy H_t = −Σ_{j=1..V} p_j ln p_j given only the top-k log-probs.
 *
 * Precondition: the candidates are exactly the k most likely tokens (any order, no duplicates): the
 * policy's top-k list without the extra sampled token of {@link withSampledToken}.
 *
 * Proof. Let p_1..p_k be the known probabilities, p_min = min_i p_i, q = 1 − Σ_i p_i the missing mass and
 * m = V − k the number of other tokens, with probabilities x_1..x_m. Because those tokens are not in the top
 * k, 0 ≤ x_j ≤ p_min, and Σ_j x_j = q. Write h(x) = −x ln x (h(0) = 0), so
 *   H_t = K + F(x),  K = Σ_i h(p_i) (known),  F(x) = Σ_j h(x_j).
 * Over the feasible set P = { x ∈ [0, p_min]^m : Σ x_j = q } (non-empty iff q ≤ m·p_min):
 * - Upper: F is concave and symmetric, so for any x ∈ P its average over all coordinate permutations,
 *   the uniform point ū = (q/m, …, q/m), satisfies F(ū) ≥ F(x) (Jensen). ū ∈ P because q/m ≤ p_min. Hence
 *   F ≤ m·h(q/m) = q·ln(m/q).
 * - Lower: a concave function on a polytope attains its minimum at a vertex. A vertex of P (a box cut by one
 *   hyperplane) has at most one coordinate strictly between its bounds, so it is a permutation of
 *   n = ⌊q/p_min⌋ coordinates equal to p_min, one equal to r = q − n·p_min ∈ [0, p_min), the rest 0 (the
 *   greedy split). All vertices have the same value, so F ≥ n·h(p_min) + h(r).
 * So K + n·h(p_min) + h(r) ≤ H_t ≤ K + q·ln(m/q), and both bounds are attained (they are sharp). As q → 0
 * both missing terms → 0 and the bounds close on K; with q = 0 they equal H_t exactly.
 *
 * Clamping (float rounding of the inputs): q = clamp(1 − Σ p_i, 0, m·p_min), i.e. a negative missing mass is
 * read as 0, and more missing mass than the m tokens can hold (only possible through rounding, e.g. a top
 * log-prob of −1e-7 next to a k-th of −80) is cut to the feasible maximum. With no candidates (k = 0),
 * p_min = 1: the bounds are [0, ln V]. Σ p_i > 1 + 1e-6 or a duplicate token throws.
 *
 * @param topLogprobs ln p_i of the k most likely tokens (numbers or `TokenLogprob`s).
 * @param vocabSize V ≥ k.
 */
export function topKEntropyBounds(topLogprobs: TopLogprobs, vocabSize: number): EntropyBounds {
  const lps = candidateLogprobs(topLogprobs, 'topKEntropyBounds');
  const k = lps.length;
  checkInteger('topKEntropyBounds arguments', 'vocabSize', vocabSize, Math.max(1, k));
  assertNoDuplicateTokens(topLogprobs);
  let known = 0;
  let mass = 0;
  let pMin = 1;
  for (const lp of lps) {
    const p = Math.exp(lp);
    if (p > 0) known -= p * lp;
    mass += p;
    if (p < pMin) pMin = p;
  }
  if (mass > 1 + MASS_TOLERANCE) {
    throw new ArpoError(`topKEntropyBounds: the ${k} probabilities sum to ${mass} (expected <= 1)`);
  }
  const m = vocabSize - k;
  const q = Math.min(Math.max(1 - mass, 0), m * pMin);
  if (q === 0) return { lower: known, upper: known };
  const upper = known + q * Math.log(m / q);
  const n = Math.floor(q / pMin);
  const r = Math.max(q - n * pMin, 0);
  const lower = known + n * h(pMin) + h(r);
  return { lower: Math.min(lower, upper), upper };
}

function h(x: number): number {
  return x > 0 ? -x * Math.log(x) : 0;
}

function assertNoDuplicateTokens(candidates: TopLogprobs): void {
  const seen = new Set<number>();
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (typeof c !== 'object' || c === null) continue;
    if (seen.has(c.token)) {
      throw new ArpoError(`topKEntropyBounds: topLogprobs[${i}] repeats token ${c.token} (expected distinct tokens)`);
    }
    seen.add(c.token);
  }
}
