import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** Advantage estimation (paper §3.2; spec §3). Defaults: the reference's GRPO with soft attribution. */
export const AdvantageConfigSchema = z.strictObject({
  /**
   * A registered advantage estimator (`@arpo/advantage`'s `registerAdvantageEstimator`). Built in: `soft`
   * (reference default, every run in the paper): each trajectory's GRPO advantage on all its tokens; `hard` (paper
   * §3.2): tokens shared by d trajectories get the mean of those d advantages.
   */
  estimator: z.string().min(1).default('soft'),
  /** ε in (r − mean) / (std + ε). Reference 1e-6. */
  eps: z.number().min(0).default(1e-6),
  /** `unbiased` (N − 1, torch's default, the reference) or `biased` (N). */
  std: z.enum(['unbiased', 'biased']).default('unbiased'),
  /** Divide by the group std (reference `norm_adv_by_std_in_grpo: True`); false gives Dr. GRPO's r − mean. */
  normalizeByStd: z.boolean().default(true),
});

export type AdvantageConfig = z.output<typeof AdvantageConfigSchema>;
export type AdvantageConfigInput = z.input<typeof AdvantageConfigSchema>;

export function parseAdvantageConfig(input: unknown = {}): AdvantageConfig {
  return parseConfig(AdvantageConfigSchema, input, 'advantage config');
}
