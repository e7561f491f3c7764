import { ArpoError, type Generation, type RolloutConfig } from '@arpo/core';
import { segmentEntropy, segmentEntropyOptions, topKEntropy, withSampledToken } from '@arpo/entropy';

/**
 * Per-position entropies of a generated segment's first k positions (spec §2.2 step 2):
 * - `top-k` (reference): −Σ exp(lp)·lp over the returned top-k candidates plus the sampled token; a position
 *   with no candidates reuses the last position that has them (the reference's fallback);
 * - `full` (paper Eq. 3): the policy's full-distribution entropies.
 */
export function positionEntropies(gen: Generation, config: Pick<RolloutConfig, 'entropySource' | 'entropyWindow'>): number[] {
  const k = Math.min(config.entropyWindow, gen.tokens.length);
  const out: number[] = [];
  if (config.entropySource === 'full') {
    if (!gen.entropies) {
      throw new ArpoError("rollout config entropySource = 'full' but the policy returned no per-position entropies (expected Generation.entropies; use entropySource 'top-k' with topLogprobs > 0)");
    }
    for (let j = 0; j < k; j++) out.push(gen.entropies[j]!);
    return out;
  }
  const top = gen.topLogprobs;
  if (!top || top.length === 0) {
    if (k === 0) return out;
    throw new ArpoError("rollout config entropySource = 'top-k' but the policy returned no top-k log-probs (expected Generation.topLogprobs; set topLogprobs > 0)");
  }
  let lastWithCandidates = -1;
  for (let j = 0; j < k; j++) {
    const candidates = top[j]?.length ? j : lastWithCandidates >= 0 ? lastWithCandidates : firstWithCandidates(top);
    if (top[j]?.length) lastWithCandidates = j;
    const sampled = { token: gen.tokens[j]!, logprob: gen.logprobs[j]! };
    out.push(topKEntropy(withSampledToken(top[candidates] ?? [], sampled)));
  }
  return out;
}

function firstWithCandidates(top: NonNullable<Generation['topLogprobs']>): number {
  return top.findIndex((c) => c.length > 0);
}

/** H of one segment: aggregate and normalise its first k position entropies as configured (Eq. 3–4 inputs). */
export function generationEntropy(
  gen: Generation,
  config: Pick<RolloutConfig, 'entropySource' | 'entropyWindow' | 'entropyAggregation' | 'entropyNormalization'>,
  vocabSize: number,
): number {
  return segmentEntropy(positionEntropies(gen, config), segmentEntropyOptions(config, vocabSize));
}
