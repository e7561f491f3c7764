import { ArpoConfigError, parseAdvantageConfig, type AdvantageConfig, type AdvantageConfigInput } from '@arpo/core';
import type { AttributionGroup, TrajectoryAdvantages } from './advantage-group.js';
import { assertFiniteRewards, grpoAdvantages } from './grpo-advantages.js';
import { hardAttribution } from './hard-attribution.js';
import { groupSubject } from './rollout-tree.js';
import { softAttribution } from './soft-attribution.js';

/** A scored group: an {@link AttributionGroup} with one reward per trajectory (a scored `RolloutGroup`). */
export interface ScoredGroup extends AttributionGroup {
  /** r_i per trajectory, aligned with `trajectories`. */
  readonly rewards?: readonly number[] | undefined;
}

/** What {@link computeAdvantages} returns for one group. */
export interface GroupAdvantages {
  readonly promptId: string;
  /** The estimator used. */
  readonly estimator: AdvantageConfig['estimator'];
  /** A_i per trajectory (GRPO over the G = M rewards), aligned with `trajectories`. */
  readonly scalarAdvantages: number[];
  /** Â_{i,t} per token and the loss mask, per trajectory, aligned with `trajectories`. */
  readonly trajectories: TrajectoryAdvantages[];
}

/**
 * Advantage estimation for one rollout group (paper §3.2; spec §3): GRPO normalisation of `group.rewards`
 * (A_i = (r_i − mean)/(std + ε) over G = M) followed by the configured attribution to tokens, `soft`
 * (Â_{i,t} = A_i, reference default) or `hard` (shared tokens get the mean over their d sharers).
 *
 * @param group a scored rollout group (`RolloutGroup` with `rewards`).
 * @param config an `AdvantageConfig` or its input form; parsed with `parseAdvantageConfig` (defaults: soft,
 *   ε = 1e-6, unbiased std, normalizeByStd).
 * @throws ArpoConfigError naming the group's promptId when `rewards` is missing or misaligned, naming the
 *   index of a non-finite reward, or naming a bad config field; BranchPrefixError (hard only).
 */
export function computeAdvantages(group: ScoredGroup, config: AdvantageConfigInput = {}): GroupAdvantages {
  const { estimator, eps, std, normalizeByStd } = parseAdvantageConfig(config);
  const { rewards } = group;
  if (rewards === undefined) {
    throw new ArpoConfigError(groupSubject(group), [
      { field: 'rewards', value: undefined, expected: `${group.trajectories.length} rewards, one per trajectory (score the group first)` },
    ]);
  }
  if (rewards.length !== group.trajectories.length) {
    throw new ArpoConfigError(groupSubject(group), [
      { field: 'rewards', value: `${rewards.length} rewards`, expected: `${group.trajectories.length} rewards, one per trajectory` },
    ]);
  }
  assertFiniteRewards(rewards, `rewards of ${groupSubject(group)}`);
  const scalarAdvantages = grpoAdvantages(rewards, { eps, std, normalizeByStd });
  const attribute = estimator === 'hard' ? hardAttribution : softAttribution;
  return { promptId: group.promptId, estimator, scalarAdvantages, trajectories: attribute(group, scalarAdvantages) };
}
