import { z } from 'zod';
import { AdvantageConfigSchema } from './advantage-config.js';
import { LossConfigSchema } from './loss-config.js';
import { OptimizerConfigSchema } from './optimizer-config.js';
import { parseConfig } from './parse-config.js';
import { RewardConfigSchema } from './reward-config.js';
import { RolloutConfigSchema } from './rollout-config.js';

/** Everything one ARPO training step needs, each section defaulting to the reference values. */
export const ArpoConfigSchema = z.strictObject({
  /** Seed of the run's root RNG; every random choice derives from it. */
  seed: z.number().int().min(0).default(0),
  rollout: RolloutConfigSchema.prefault({}),
  advantage: AdvantageConfigSchema.prefault({}),
  loss: LossConfigSchema.prefault({}),
  optimizer: OptimizerConfigSchema.prefault({}),
  reward: RewardConfigSchema.prefault({}),
});

export type ArpoConfig = z.output<typeof ArpoConfigSchema>;
export type ArpoConfigInput = z.input<typeof ArpoConfigSchema>;

/** Parses a full config; an invalid one throws `ArpoConfigError` naming the field (e.g. `rollout.rollouts`). */
export function parseArpoConfig(input: unknown = {}): ArpoConfig {
  return parseConfig(ArpoConfigSchema, input, 'ARPO config');
}
