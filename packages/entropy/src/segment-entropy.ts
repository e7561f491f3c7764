import type { RolloutConfig } from '@arpo/core';
import { ArpoConfigError, parseRolloutConfig } from '@arpo/core';
import { checkInteger, checkOneOf, nonFiniteError } from './checks.js';

/** How the window's per-position entropies combine: `sum` (reference) or `mean`. */
export type EntropyAggregation = RolloutConfig['entropyAggregation'];
/** Divisor of the aggregate: `ln-vocab` = ln V (reference), `vocab` = V (paper's wording), `none`. */
export type EntropyNormalization = RolloutConfig['entropyNormalization'];

/** Options of {@link segmentEntropy}; defaults are the reference's. */
export interface SegmentEntropyOptions {
  /** k: only the first k positions of the segment count. Default: `rollout.entropyWindow`'s, 20 (reference). */
  window?: number;
  /** Default `sum` (reference). */
  aggregate?: EntropyAggregation;
  /** Default `ln-vocab` (reference). */
  normalize?: EntropyNormalization;
  /** V, required unless `normalize` is `none` (≥ 2 for `ln-vocab`, so that ln V > 0). */
  vocabSize?: number;
}

const SUBJECT = 'segmentEntropy options';
/** The reference defaults, from the rollout config's schema (not restated here). */
const DEFAULTS = parseRolloutConfig();

/**
 * The entropy of one generated segment, the scalar the branch rule compares (H_initial and H_t of paper
 * Eq. 4, "current" in the reference): aggregate the per-position entropies of the segment's first k
 * positions, then normalise.
 *
 *   reference (defaults):  Σ_{j<min(k,len)} H_j / ln V,   H_j = −Σ_{top-10 ∪ sampled} exp(lp)·lp
 *   paper-style option:    mean_{j<min(k,len)} H_j with full-vocabulary H_j (`aggregate: 'mean'`)
 *
 * An empty segment has entropy 0.
 *
 * @param perPosition entropy (nats) of each position of the segment: from {@link topKEntropies} (reference),
 *   {@link tokenEntropy} / {@link tokenEntropies} (full distribution) or a policy's `Generation.entropies`.
 *   A non-finite value throws, naming its position.
 */
export function segmentEntropy(perPosition: ArrayLike<number>, options: SegmentEntropyOptions = {}): number {
  const window = options.window ?? DEFAULTS.entropyWindow;
  const aggregate = options.aggregate ?? DEFAULTS.entropyAggregation;
  const normalize = options.normalize ?? DEFAULTS.entropyNormalization;
  checkInteger(SUBJECT, 'window', window, 1);
  checkOneOf(SUBJECT, 'aggregate', aggregate, ['sum', 'mean']);
  checkOneOf(SUBJECT, 'normalize', normalize, ['ln-vocab', 'vocab', 'none']);
  const divisor = normalizer(normalize, options.vocabSize);
  const count = Math.min(window, perPosition.length);
  let total = 0;
  for (let j = 0; j < count; j++) {
    const h = perPosition[j];
    if (typeof h !== 'number' || !Number.isFinite(h)) throw nonFiniteError('segmentEntropy', 'perPosition', j, h);
    total += h;
  }
  if (count === 0) return 0;
  return (aggregate === 'mean' ? total / count : total) / divisor;
}

/** The {@link segmentEntropy} options a `RolloutConfig` selects (k, aggregation, normalisation) for vocabulary V. */
export function segmentEntropyOptions(
  config: Pick<RolloutConfig, 'entropyWindow' | 'entropyAggregation' | 'entropyNormalization'>,
  vocabSize: number,
): Required<SegmentEntropyOptions> {
  return {
    window: config.entropyWindow,
    aggregate: config.entropyAggregation,
    normalize: config.entropyNormalization,
    vocabSize,
  };
}

function normalizer(normalize: EntropyNormalization, vocabSize: number | undefined): number {
  if (normalize === 'none') return 1;
  if (vocabSize === undefined) {
    throw new ArpoConfigError(SUBJECT, [
      { field: 'vocabSize', value: vocabSize, expected: `an integer >= 2 (needed by normalize: '${normalize}')` },
    ]);
  }
  checkInteger(SUBJECT, 'vocabSize', vocabSize, 2);
  return normalize === 'ln-vocab' ? Math.log(vocabSize) : vocabSize;
}
