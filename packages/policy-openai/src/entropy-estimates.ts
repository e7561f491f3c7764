import type { Generation, TokenLogprob } from '@arpo/core';
import { topKEntropy, topKEntropyBounds, withSampledToken, type EntropyBounds } from '@arpo/entropy';
import { OpenAIServerError } from './server-error.js';

/** Which value of the top-k bounds fills `Generation.entropies` when full entropies are asked for. */
export type FullEntropyEstimate = 'none' | 'lower' | 'upper' | 'midpoint';

/** A `Generation` with the entropy information a server's top-k log-probs allow. */
export interface OpenAIGeneration extends Generation {
  /**
   * Per position, the reference's truncated entropy −Σ p ln p over the top-k candidates plus the sampled
   * token (what `@arpo/rollout` computes with `entropySource: 'top-k'`), in nats.
   */
  topKEntropies?: number[];
  /** Per position, sharp bounds on the full-vocabulary entropy H_t (Eq. 3) given only the top-k log-probs. */
  entropyBounds?: EntropyBounds[];
}

/**
 * Adds {@link OpenAIGeneration.topKEntropies} and {@link OpenAIGeneration.entropyBounds} computed with
 * `@arpo/entropy` from `top` (the server's top-k candidates, most likely first), and, when `estimate` is not
 * `none` and the server sent no full entropies, fills `entropies` with that bound (or the bounds' midpoint).
 */
export function withEntropyEstimates(
  gen: Generation,
  top: readonly (readonly TokenLogprob[])[],
  vocabSize: number,
  estimate: FullEntropyEstimate,
  url: string,
): OpenAIGeneration {
  const out: OpenAIGeneration = { ...gen };
  const truncated: number[] = [];
  const bounds: EntropyBounds[] = [];
  top.forEach((candidates, j) => {
    const sampled = { token: gen.tokens[j]!, logprob: gen.logprobs[j]! };
    try {
      truncated.push(topKEntropy(withSampledToken(candidates, sampled)));
      bounds.push(topKEntropyBounds(candidates, Math.max(vocabSize, candidates.length)));
    } catch (error) {
      throw new OpenAIServerError(url, 'malformed', `top log-probs of position ${j} are inconsistent: ${(error as Error).message}`, undefined, false, { cause: error });
    }
  });
  out.topKEntropies = truncated;
  out.entropyBounds = bounds;
  if (estimate !== 'none' && gen.entropies === undefined) {
    out.entropies = bounds.map((b) => (estimate === 'lower' ? b.lower : estimate === 'upper' ? b.upper : (b.lower + b.upper) / 2));
  }
  return out;
}
