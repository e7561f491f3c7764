import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** The hierarchical reward (paper Eq. 8; spec §4). Defaults: the reference `deep_research.compute_score`. */
export const RewardConfigSchema = z.strictObject({
  /** r_M: added to a correct answer (F1 > 0) when both `</search>` and `</python>` occur. Reference 0.1. */
  multiToolBonus: z.number().default(0.1),
  /** Reward of a response whose format fails validation. Reference −1. */
  formatPenalty: z.number().default(-1),
});

export type RewardConfig = z.output<typeof RewardConfigSchema>;
export type RewardConfigInput = z.input<typeof RewardConfigSchema>;

export function parseRewardConfig(input: unknown = {}): RewardConfig {
  return parseConfig(RewardConfigSchema, input, 'reward config');
}
