import { ArpoError, parseLossConfig, type LossConfig, type LossConfigInput } from '@arpo/core';
import { aggregationScope, aggregationWeights, type AggregationScope } from './aggregation.js';
import { checkLength, checkShape, type Shape2D } from './checks.js';
import { CLIP_BRANCH_CODE, LOG_RATIO_CLAMP } from './clipped-surrogate.js';
import { entropyAwareAdvantages } from './entropy-advantage.js';
import { klPenalty } from './kl-penalty.js';
import { policyLosses } from './policy-losses.js';

/** Per-token inputs of the policy loss: aligned flat `[B, L]` arrays (row-major). */
export interface PolicyLossInput {
  /** log πθ of each response token (the quantity differentiated). */
  logprobs: ArrayLike<number>;
  /** log π_old (recomputed by the actor after the rollout, or the sampler's). */
  oldLogprobs: ArrayLike<number>;
  /** Â per token (GRPO advantage, attributed to tokens). */
  advantages: ArrayLike<number>;
  /** Loss mask: 1 = model token trained on, 0 = tool result or padding. */
  mask: ArrayLike<number>;
  /** `[B, L]`. */
  shape: Shape2D;
  /** log π_ref, needed when `klCoef > 0` (also used for the `kl` metric when given). */
  refLogprobs?: ArrayLike<number> | undefined;
  /**
   * Entropy H of πθ per position (nats), needed when `entropyCoef > 0` or `entropyAdvantageWeight > 0` (also the
   * `entropy` metric).
   */
  entropies?: ArrayLike<number> | undefined;
}

/**
 * Sums accumulated over (micro-)batches, in this order. The first four are weighted with the aggregation
 * weights w (so they add up to the aggregated mini-batch values); the rest are masked sums Σ m·x (token
 * means once divided by `tokens`).
 */
export const POLICY_STATS = [
  'loss',
  'pgLoss',
  'klLoss',
  'entropyLoss',
  'tokens',
  'clipLow',
  'clipHigh',
  'clipDual',
  'approxKl',
  'kl',
  'entropy',
] as const;
export type PolicyStatName = (typeof POLICY_STATS)[number];
export const POLICY_STAT_INDEX = Object.fromEntries(POLICY_STATS.map((n, i) => [n, i])) as Record<PolicyStatName, number>;

/** Token-mean metrics of the policy loss (verl's `actor/*` metrics). */
export interface PolicyLossMetrics {
  /** Share of trained tokens with A < 0 held at 1 − ε_low by the PPO clip. */
  clipFracLow: number;
  /** Share with A > 0 held at 1 + ε_high. */
  clipFracHigh: number;
  /** Share with A < 0 capped at −A·c by dual-clip (verl `pg_clipfrac_lower`). */
  clipFracDual: number;
  /** clipFracLow + clipFracHigh (verl `pg_clipfrac`). */
  clipFrac: number;
  /** Token-mean of log π_old − log πθ (log-ratio clamped to ±20; verl `ppo_kl`). */
  approxKl: number;
  /** Token-mean of the configured KL estimator to the reference (when reference log-probs are given). */
  kl?: number;
  /** Token-mean entropy of πθ (when entropies are given). */
  entropy?: number;
  /** Trained tokens (Σ mask). */
  tokens: number;
}

/** The aggregated loss terms and metrics of a batch. */
export interface PolicyLossResult {
  /** pgLoss + klCoef·klLoss − entropyCoef·entropyLoss. */
  loss: number;
  /** The policy loss L_pg, aggregated. */
  pgLoss: number;
  /** The KL estimator, aggregated (when reference log-probs are given). */
  klLoss?: number;
  /** The entropy, aggregated (when entropies are given). */
  entropyLoss?: number;
  metrics: PolicyLossMetrics;
  /** Per-token values (float64), aligned with the inputs. */
  perToken: {
    /** ℓ = L_pg + klCoef·kl − entropyCoef·H (the summand of `loss`). */
    losses: Float64Array;
    /** The policy loss L_pg (`loss.policyLoss`). */
    pgLosses: Float64Array;
    /** Ã = A·(1 + a·z(H)), the advantages the policy loss used (when `entropyAdvantageWeight` a > 0). */
    advantages?: Float64Array;
    ratios: Float64Array;
    /** {@link CLIP_BRANCH_CODE} per token. */
    branches: Uint8Array;
    /** The KL estimate per token (when reference log-probs are given). */
    kl?: Float64Array;
    /** The aggregation weights w. */
    weights: Float64Array;
  };
  /** The {@link POLICY_STATS} sums of this batch. */
  stats: Float64Array;
}

/** The loss-config fields the loss reads (a parsed `LossConfig`). */
export type PolicyLossConfig = Pick<
  LossConfig,
  | 'policyLoss'
  | 'clipRatioLow'
  | 'clipRatioHigh'
  | 'clipRatioC'
  | 'aggregation'
  | 'aggregationNormalizer'
  | 'klCoef'
  | 'klEstimator'
  | 'entropyCoef'
  | 'entropyAdvantageWeight'
>;

/**
 * The ARPO / GRPO policy loss of a batch (spec §5; verl `compute_policy_loss` + `agg_loss` + `kl_penalty`),
 * in float64: the reference of {@link policyLossTensor}.
 *
 *   Ã = A·(1 + a·z(H))   when a = entropyAdvantageWeight > 0 (AEPO, {@link entropyAwareAdvantages}; z over this
 *                         batch's trained tokens), else Ã = A
 *   ℓ_{i,t} = L_pg(ρ, Ã; ε_low, ε_high, c) + klCoef·KL_est(log πθ, log π_ref) − entropyCoef·H
 *   loss = Σ_{i,t} w_{i,t}·ℓ_{i,t}      (w from `aggregation`, see {@link aggregationWeights})
 *
 * L_pg is the policy loss named by `policyLoss` ({@link policyLosses}: `dual-clip`, `entropy-balanced` or a registered
 * one) and KL_est the estimator named by `klEstimator` ({@link klEstimators}); unknown names throw an
 * `ArpoConfigError` naming the field and the registered names.
 *
 * @param config a `LossConfig` or its input form (parsed with `parseLossConfig`: reference defaults).
 * @param scope the totals to aggregate with (default: this batch's own, N = `aggregationNormalizer` ?? L).
 */
export function policyLoss(input: PolicyLossInput, config: LossConfigInput = {}, scope?: AggregationScope): PolicyLossResult {
  const cfg = parseLossConfig(config);
  const where = 'policyLoss';
  checkShape(where, input.shape);
  const n = input.shape[0] * input.shape[1];
  checkLength(where, 'logprobs', input.logprobs, n);
  checkLength(where, 'oldLogprobs', input.oldLogprobs, n);
  checkLength(where, 'advantages', input.advantages, n);
  checkLength(where, 'mask', input.mask, n);
  if (input.refLogprobs) checkLength(where, 'refLogprobs', input.refLogprobs, n);
  if (input.entropies) checkLength(where, 'entropies', input.entropies, n);
  if (cfg.klCoef > 0 && !input.refLogprobs) throw new ArpoError(`${where}: klCoef = ${cfg.klCoef} needs refLogprobs (reference-policy log-probs)`);
  if (cfg.entropyCoef > 0 && !input.entropies) throw new ArpoError(`${where}: entropyCoef = ${cfg.entropyCoef} needs entropies`);
  const a = cfg.entropyAdvantageWeight;
  if (a > 0 && !input.entropies) throw new ArpoError(`${where}: entropyAdvantageWeight = ${a} needs entropies`);
  const rule = policyLosses.get(cfg.policyLoss);

  const weights = aggregationWeights(input.mask, input.shape, cfg.aggregation, scope ?? aggregationScope(input.mask, input.shape, cfg.aggregationNormalizer));
  const advantages = a > 0 ? entropyAwareAdvantages(input.advantages, input.entropies!, input.mask, a) : undefined; // Ã
  const pg = rule.arrays(
    { logprobs: input.logprobs, oldLogprobs: input.oldLogprobs, advantages: advantages ?? input.advantages, mask: input.mask, shape: input.shape },
    cfg,
  );
  for (const key of ['losses', 'ratios', 'branches'] as const) checkLength(`policy loss '${cfg.policyLoss}'`, key, pg[key], n);
  const { losses: pgLosses, ratios, branches } = pg;
  const kl = input.refLogprobs ? klPenalty(input.logprobs, input.refLogprobs, cfg.klEstimator) : undefined;
  const losses = new Float64Array(n);
  const stats = new Float64Array(POLICY_STATS.length);
  const S = POLICY_STAT_INDEX;
  for (let k = 0; k < n; k++) {
    const h = input.entropies ? input.entropies[k]! : 0;
    const klk = kl ? kl[k]! : 0;
    losses[k] = pgLosses[k]! + cfg.klCoef * klk - cfg.entropyCoef * h;
    const w = weights[k]!;
    if (w !== 0) {
      stats[S.loss]! += w * losses[k]!;
      stats[S.pgLoss]! += w * pgLosses[k]!;
      stats[S.klLoss]! += w * klk;
      stats[S.entropyLoss]! += w * h;
    }
    if (input.mask[k]) {
      const logRatio = Math.min(LOG_RATIO_CLAMP, Math.max(-LOG_RATIO_CLAMP, input.logprobs[k]! - input.oldLogprobs[k]!));
      stats[S.tokens]! += 1;
      stats[S.clipLow]! += branches[k] === CLIP_BRANCH_CODE.low ? 1 : 0;
      stats[S.clipHigh]! += branches[k] === CLIP_BRANCH_CODE.high ? 1 : 0;
      stats[S.clipDual]! += branches[k] === CLIP_BRANCH_CODE.dual ? 1 : 0;
      stats[S.approxKl]! += -logRatio;
      stats[S.kl]! += klk;
      stats[S.entropy]! += h;
    }
  }
  const result: PolicyLossResult = {
    loss: stats[S.loss]!,
    pgLoss: stats[S.pgLoss]!,
    metrics: policyMetricsFromStats(stats, { withKl: kl !== undefined, withEntropy: input.entropies !== undefined }),
    perToken: { losses, pgLosses, ratios, branches, weights, ...(kl ? { kl } : {}), ...(advantages ? { advantages } : {}) },
    stats,
  };
  if (kl) result.klLoss = stats[S.klLoss]!;
  if (input.entropies) result.entropyLoss = stats[S.entropyLoss]!;
  return result;
}

/** Token-mean metrics from {@link POLICY_STATS} sums (of one batch or accumulated over many). */
export function policyMetricsFromStats(stats: ArrayLike<number>, present: { withKl: boolean; withEntropy: boolean }): PolicyLossMetrics {
  const S = POLICY_STAT_INDEX;
  const tokens = stats[S.tokens]!;
  const mean = (name: PolicyStatName): number => (tokens > 0 ? stats[S[name]]! / tokens : 0);
  const metrics: PolicyLossMetrics = {
    clipFracLow: mean('clipLow'),
    clipFracHigh: mean('clipHigh'),
    clipFracDual: mean('clipDual'),
    clipFrac: mean('clipLow') + mean('clipHigh'),
    approxKl: mean('approxKl'),
    tokens,
  };
  if (present.withKl) metrics.kl = mean('kl');
  if (present.withEntropy) metrics.entropy = mean('entropy');
  return metrics;
}
