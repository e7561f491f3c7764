import { ArpoError, NamedRegistry, type LossAggregation } from '@arpo/core';
import { checkLength, checkMask, checkShape, type Shape2D } from './checks.js';

/**
 * The batch totals an aggregation divides by. For an exact mini-batch loss split over micro-batches, every
 * micro-batch uses the scope of the whole mini-batch (then the micro-batch losses simply add up).
 */
export interface AggregationScope {
  /** B: sequences in the batch (a sequence with no trained token still counts). */
  sequences: number;
  /** T = Σ mask: trained tokens in the batch. */
  tokens: number;
  /** N: the constant of `seq-mean-token-sum-norm` (Dr. GRPO). */
  normalizer: number;
}

/** The scope of one `[B, L]` mask: its own B and T, and N = `normalizer` (default L, verl's `loss_mask.shape[-1]`). */
export function aggregationScope(mask: ArrayLike<number>, shape: Shape2D, normalizer?: number): AggregationScope {
  checkShape('aggregationScope', shape);
  checkLength('aggregationScope', 'mask', mask, shape[0] * shape[1]);
  let tokens = 0;
  for (let i = 0; i < mask.length; i++) tokens += mask[i]!;
  const n = normalizer ?? shape[1];
  if (!(n > 0)) throw new ArpoError(`aggregationScope: normalizer = ${n} (expected a number > 0)`);
  return { sequences: shape[0], tokens, normalizer: n };
}

/**
 * Per-token weights w so that the aggregated loss is Σ_{i,t} w_{i,t}·ℓ_{i,t} (verl `agg_loss`; TRL's
 * `loss_type`). With m the loss mask, n_i = Σ_t m_{i,t} and B, T, N from `scope`:
 *
 * | mode | loss | w_{i,t} |
 * |---|---|---|
 * | `token-mean` (reference; DAPO) | Σ m·ℓ / T | m / T |
 * | `seq-mean-token-sum` | (1/B) Σ_i Σ_t m·ℓ | m / B |
 * | `seq-mean-token-mean` (GRPO paper) | (1/B) Σ_i (Σ_t m·ℓ / n_i) | m / (B·n_i) |
 * | `seq-mean-token-sum-norm` (Dr. GRPO) | (1/B) Σ_i Σ_t m·ℓ / N | m / (B·N) |
 *
 * A sequence with n_i = 0 contributes 0 (it still counts in B); T = 0 gives all-zero weights.
 * `shape` is the `[b, L]` of this (micro-)batch; `scope` defaults to its own totals.
 */
export function aggregationWeights(
  mask: ArrayLike<number>,
  shape: Shape2D,
  mode: LossAggregation,
  scope: AggregationScope = aggregationScope(mask, shape),
): Float64Array {
  checkShape('aggregationWeights', shape);
  const [b, l] = shape;
  checkLength('aggregationWeights', 'mask', mask, b * l);
  checkMask('aggregationWeights', mask);
  const rule = lossAggregations.get(mode);
  const w = new Float64Array(b * l);
  for (let i = 0; i < b; i++) {
    let n = 0;
    for (let t = 0; t < l; t++) n += mask[i * l + t]!;
    const perToken = rule(n, scope);
    if (!Number.isFinite(perToken)) {
      throw new ArpoError(`loss aggregation '${mode}' gave weight ${String(perToken)} for a sequence of ${n} trained tokens (expected a finite number)`);
    }
    for (let t = 0; t < l; t++) w[i * l + t] = mask[i * l + t]! * perToken;
  }
  return w;
}

/**
 * A loss aggregation: the weight of each trained token of a sequence with `sequenceTokens` (n_i) trained tokens,
 * given the batch totals B, T, N of `scope` (a micro-batch sees its mini-batch's totals, so split losses add up
 * exactly). The aggregated loss is Σ_i Σ_t m_{i,t}·weight_i·ℓ_{i,t}. Register one with
 * {@link registerLossAggregation} and select it with `arpo.loss.aggregation`.
 */
export type LossAggregationRule = (sequenceTokens: number, scope: AggregationScope) => number;

/** The loss aggregations by name: the four of verl / TRL in the table of {@link aggregationWeights}. */
export const lossAggregations = new NamedRegistry<LossAggregationRule>('loss aggregation', 'arpo.loss.aggregation', {
  'token-mean': (_n, { tokens: T }) => (T > 0 ? 1 / T : 0),
  'seq-mean-token-sum': (_n, { sequences: B }) => 1 / B,
  'seq-mean-token-mean': (n, { sequences: B }) => (n > 0 ? 1 / (B * n) : 0),
  'seq-mean-token-sum-norm': (_n, { sequences: B, normalizer: N }) => 1 / (B * N),
});

/** Registers a loss aggregation under `name` (selected by `loss.aggregation: name`). */
export function registerLossAggregation(name: string, rule: LossAggregationRule, options?: { replace?: boolean }): void {
  lossAggregations.register(name, rule, options);
}

/** Σ w·v: a loss aggregated with weights from {@link aggregationWeights}. */
export function weightedSum(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  checkLength('weightedSum', 'weights', weights, values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) if (weights[i] !== 0) s += weights[i]! * values[i]!;
  return s;
}

/** Aggregates per-token values `[B, L]` over `mask` with one of the four modes (see {@link aggregationWeights}). */
export function aggregate(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: Shape2D,
  mode: LossAggregation,
  scope?: AggregationScope,
): number {
  checkLength('aggregate', 'values', values, shape[0] * shape[1]);
  return weightedSum(values, aggregationWeights(mask, shape, mode, scope));
}

/** Σ m·v / Σ m (0 when the mask is empty): the token-mean used for metrics. */
export function maskedMean(values: ArrayLike<number>, mask: ArrayLike<number>): number {
  checkLength('maskedMean', 'mask', mask, values.length);
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask[i]) {
      s += values[i]!;
      n += 1;
    }
  }
  return n > 0 ? s / n : 0;
}
