import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** The hierarchical reward (paper Eq. 8; spec §4). Defaults: the reference `deep_research.compute_score`. */
export const RewardConfigSchema = z.strictObject({
  /** r_M: added to a correct answer (F1 > 0) when every tool of `tools` was called. Reference 0.1. */
  multiToolBonus: z.number().default(0.1),
  /**
   * The tool tags the format check reads (each `<tag>` call must be followed by `</tag>` … `<result>` …
   * `</result>`, checked in this order) and that r_M requires all of. Reference `search`, `python`.
   */
  tools: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a tag name')).min(1).default(['search', 'python']),
  /** Reward of a response whose format fails validation. Reference −1. */
  formatPenalty: z.number().default(-1),
});

export type RewardConfig = z.output<typeof RewardConfigSchema>;
export type RewardConfigInput = z.input<typeof RewardConfigSchema>;

export function parseRewardConfig(input: unknown = {}): RewardConfig {
  return parseConfig(RewardConfigSchema, input, 'reward config');
}
