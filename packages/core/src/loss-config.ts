import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** The built-in loss aggregation modes, named as in verl / TRL (more can be registered in `@arpo/optimizer`). */
export const LOSS_AGGREGATIONS = ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const;
/** A loss aggregation: a built-in mode or the name of one registered with `registerLossAggregation`. */
export type LossAggregation = (typeof LOSS_AGGREGATIONS)[number] | (string & {});

/**
 * The built-in KL estimators (more can be registered in `@arpo/optimizer` with `registerKlEstimator`):
 * k1 = log-ratio, k2 = ½·log-ratio², k3 = `low_var_kl` (e^{ref−logp} − (ref−logp) − 1, clamped).
 */
export const KL_ESTIMATORS = ['k1', 'k2', 'k3'] as const;
/** A KL estimator: a built-in one or the name of one registered with `registerKlEstimator`. */
export type KlEstimator = (typeof KL_ESTIMATORS)[number] | (string & {});

/**
 * The built-in policy losses (more can be registered in `@arpo/optimizer` with `registerPolicyLoss`):
 * `dual-clip` (PPO clip with ε_low / ε_high and dual-clip c; the ARPO reference) and `entropy-balanced`
 * (AEPO's entropy-balanced clipping, arXiv 2510.14545).
 */
export const POLICY_LOSSES = ['dual-clip', 'entropy-balanced'] as const;
/** A policy loss: a built-in one or the name of one registered with `registerPolicyLoss`. */
export type PolicyLossName = (typeof POLICY_LOSSES)[number] | (string & {});

/** The clipped surrogate policy loss (spec §5). Defaults: the reference ARPO scripts. */
export const LossConfigSchema = z
  .strictObject({
    /**
     * The per-token policy loss: a built-in one ({@link POLICY_LOSSES}) or one registered with `@arpo/optimizer`'s
     * `registerPolicyLoss`. `dual-clip` (reference): L = max(−A·ρ, −A·clip(ρ, 1 − ε_low, 1 + ε_high)), capped at −A·c
     * for A < 0. `entropy-balanced` (AEPO, arXiv 2510.14545; its code `compute_policy_loss_entropy_balanced_clipping`):
     * the same loss value, but the upper bound is (1 + ε_high)·ρ/sg(ρ), so a token clipped at 1 + ε_high with A > 0
     * keeps the gradient −(1 + ε_high)·A·∇log πθ instead of 0. The paper restricts this to high-entropy tokens; the
     * code applies it to every token, as here.
     */
    policyLoss: z.string().min(1).default('dual-clip'),
    /** ε_low: ρ is clipped below at 1 − ε_low. Reference 0.2. */
    clipRatioLow: z.number().min(0).max(1).default(0.2),
    /** ε_high: ρ is clipped above at 1 + ε_high. Reference 0.2 (DAPO's clip-higher uses 0.28). */
    clipRatioHigh: z.number().min(0).default(0.2),
    /** c of dual-clip: for A < 0 the loss is capped at −A·c. Reference `clip_ratio_c` 3.0; must be > 1. */
    clipRatioC: z.number().gt(1).default(3),
    /**
     * How masked per-token losses become one scalar: a built-in mode ({@link LOSS_AGGREGATIONS}) or one registered
     * with `@arpo/optimizer`'s `registerLossAggregation`. Reference `token-mean`.
     */
    aggregation: z.string().min(1).default('token-mean'),
    /** Constant of `seq-mean-token-sum-norm` (Dr. GRPO); defaults to the max response length when unset. */
    aggregationNormalizer: z.number().gt(0).optional(),
    /** KL-to-reference loss coefficient. Reference 0 (a reference model is loaded but has no effect). */
    klCoef: z.number().min(0).default(0),
    /**
     * KL estimator: a built-in one ({@link KL_ESTIMATORS}: `k1`, `k2`, `k3`) or one registered with `@arpo/optimizer`'s
     * `registerKlEstimator`. Reference `low_var_kl` = k3.
     */
    klEstimator: z.string().min(1).default('k3'),
    /** Entropy bonus coefficient (subtracted from the loss). Reference 0. */
    entropyCoef: z.number().min(0).default(0),
    /**
     * a of AEPO's entropy-aware advantage (arXiv 2510.14545): Ã = A·(1 + a·z(H)), z(H) = (H − mean)/std of the
     * current policy's token entropies H (detached: no gradient) over the trained tokens of the micro-batch (std with
     * N − 1, 1 when it is 0), applied before the policy loss. 0 = off (default); AEPO uses 0.2. Results depend on the
     * micro-batch composition. Entropies are requested whenever a > 0 (the reference computes them only when its
     * entropy coefficient is non-zero, so with its released entropy coefficient 0 the term is silently off).
     */
    entropyAdvantageWeight: z.number().min(0).default(0),
    /** π_old: `recompute` by the trainable policy after the rollout (reference) or `sampler` log-probs. */
    oldLogprobSource: z.enum(['recompute', 'sampler']).default('recompute'),
  });

export type LossConfig = z.output<typeof LossConfigSchema>;
export type LossConfigInput = z.input<typeof LossConfigSchema>;

export function parseLossConfig(input: unknown = {}): LossConfig {
  return parseConfig(LossConfigSchema, input, 'loss config');
}
