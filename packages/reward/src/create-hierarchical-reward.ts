import { parseRewardConfig, type RewardConfigInput, type RewardFunction } from '@arpo/core';
import { hierarchicalReward } from './hierarchical-reward.js';

/**
 * The hierarchical reward (paper Eq. 8) as a `RewardFunction` (`specificationVersion: 'v1'`, name
 * `hierarchical`). `config` is validated by `parseRewardConfig` (defaults r_M `multiToolBonus` 0.1,
 * `formatPenalty` −1, `tools` search and python); a bad config throws `ArpoConfigError` naming the field.
 */
export function createHierarchicalReward(config: RewardConfigInput = {}): RewardFunction {
  const { multiToolBonus, formatPenalty, tools } = parseRewardConfig(config);
  return {
    specificationVersion: 'v1',
    name: 'hierarchical',
    score: ({ response, groundTruth }) => hierarchicalReward(response, groundTruth, { multiToolBonus, formatPenalty, tools }),
  };
}
