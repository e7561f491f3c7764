import type { TokenLogprob } from '@arpo/core';
import { ArpoError } from '@arpo/core';
import { nonFiniteError } from './checks.js';

/** One position's candidates: plain log-probs or `{ token, logprob }` records (the `Policy` contract's form). */
export type TopLogprobs = readonly number[] | readonly TokenLogprob[];

/**
 * Extracts the log-probs of one position's candidates, rejecting NaN and +Infinity (−Infinity, a
 * probability of 0, is kept). `where` names the caller in the error.
 */
export function candidateLogprobs(candidates: TopLogprobs, where = 'topKEntropy'): number[] {
  const out = new Array<number>(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    const lp = typeof c === 'number' ? c : c?.logprob;
    if (typeof lp !== 'number' || Number.isNaN(lp) || lp === Infinity) {
      throw nonFiniteError(where, 'topLogprobs', i, lp, 'a finite log-prob or -Infinity');
    }
    out[i] = lp;
  }
  return out;
}

/**
 * The reference's truncated entropy of one position (spec §2.2 step 2): −Σ_i exp(lp_i)·lp_i over the
 * given candidates only. The candidates' probabilities do not sum to 1, so this is not H_t of Eq. 3; it is
 * a lower bound on the full-vocabulary terms it covers (see {@link topKEntropyBounds} for bounds on H_t).
 * A −Infinity log-prob contributes 0 (the limit of p ln p); NaN / +Infinity throw, naming the index.
 *
 * @param topLogprobs the candidates' natural-log probabilities, as numbers or `TokenLogprob`s.
 * @returns the truncated entropy in nats.
 */
export function topKEntropy(topLogprobs: TopLogprobs): number {
  const lps = candidateLogprobs(topLogprobs);
  let h = 0;
  for (const lp of lps) if (lp !== -Infinity) h -= Math.exp(lp) * lp;
  return h;
}

/**
 * {@link topKEntropy} of each position of a segment, ready for {@link segmentEntropy}. An invalid value
 * throws an `ArpoError` naming the position and the candidate, e.g. `position 3: topLogprobs[2] = NaN`.
 */
export function topKEntropies(perPosition: readonly TopLogprobs[]): number[] {
  return perPosition.map((candidates, position) => {
    try {
      return topKEntropy(candidates);
    } catch (error) {
      if (error instanceof ArpoError) throw new ArpoError(`topKEntropies: position ${position}: ${error.message}`);
      throw error;
    }
  });
}

/**
 * The candidate set the reference sums over at one position (spec §2.2 step 2): vLLM's top-k plus the
 * sampled token when it is not among them, so a position has k or k + 1 values (10 or 11 in the reference).
 * Returns `candidates` itself when the sampled token is already present, else a copy with it appended.
 *
 * Do not pass the result to {@link topKEntropyBounds}: the extra token breaks its "these are the k most likely
 * tokens" precondition.
 */
export function withSampledToken(candidates: readonly TokenLogprob[], sampled: TokenLogprob): readonly TokenLogprob[] {
  return candidates.some((c) => c.token === sampled.token) ? candidates : [...candidates, sampled];
}
