import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** The built-in loss aggregation modes, named as in verl / TRL (more can be registered in `@arpo/optimizer`). */
export const LOSS_AGGREGATIONS = ['token-mean', 'seq-mean-token-sum', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const;
/** A loss aggregation: a built-in mode or the name of one registered with `registerLossAggregation`. */
export type LossAggregation = (typeof LOSS_AGGREGATIONS)[number] | (string & {});

/** KL estimators: k1 = log-ratio, k2 = ½·log-ratio², k3 = `low_var_kl` (e^{ref−logp} − (ref−logp) − 1, clamped). */
export const KL_ESTIMATORS = ['k1', 'k2', 'k3'] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

/** The clipped surrogate policy loss (spec §5). Defaults: the reference ARPO scripts. */
export const LossConfigSchema = z
  .strictObject({
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
    /** KL estimator. Reference `low_var_kl` = k3. */
    klEstimator: z.enum(KL_ESTIMATORS).default('k3'),
    /** Entropy bonus coefficient (subtracted from the loss). Reference 0. */
    entropyCoef: z.number().min(0).default(0),
    /** π_old: `recompute` by the trainable policy after the rollout (reference) or `sampler` log-probs. */
    oldLogprobSource: z.enum(['recompute', 'sampler']).default('recompute'),
  });

export type LossConfig = z.output<typeof LossConfigSchema>;
export type LossConfigInput = z.input<typeof LossConfigSchema>;

export function parseLossConfig(input: unknown = {}): LossConfig {
  return parseConfig(LossConfigSchema, input, 'loss config');
}
