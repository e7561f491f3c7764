import { ArpoConfigError, parseAdvantageConfig, type AdvantageConfig, type AdvantageConfigInput } from '@arpo/core';
import { advantageEstimators, checkEstimated } from './advantage-estimators.js';
import type { AttributionGroup, TrajectoryAdvantages } from './advantage-group.js';
import { assertFiniteRewards } from './grpo-advantages.js';
import { groupSubject } from './rollout-tree.js';

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
 * Advantage estimation for one rollout group (paper §3.2; spec §3) with the estimator named by `config.estimator`
 * (see {@link advantageEstimators}). The built-ins normalise `group.rewards` as GRPO does
 * (A_i = (r_i − mean)/(std + ε) over G = M) and attribute to tokens: `soft` (Â_{i,t} = A_i, reference default)
 * or `hard` (shared tokens get the mean over their d sharers). A registered estimator's result is checked
 * (aligned, finite).
 *
 * @param group a scored rollout group (`RolloutGroup` with `rewards`).
 * @param config an `AdvantageConfig` or its input form; parsed with `parseAdvantageConfig` (defaults: soft,
 *   ε = 1e-6, unbiased std, normalizeByStd).
 * @throws ArpoConfigError naming the group's promptId when `rewards` is missing or misaligned, naming the
 *   index of a non-finite reward, or naming a bad config field; BranchPrefixError (hard only).
 */
export function computeAdvantages(group: ScoredGroup, config: AdvantageConfigInput = {}): GroupAdvantages {
  const parsed = parseAdvantageConfig(config);
  const { estimator } = parsed;
  const estimate = advantageEstimators.get(estimator);
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
  const { scalarAdvantages, trajectories } = checkEstimated(estimate({ ...group, rewards }, parsed), group, estimator);
  return { promptId: group.promptId, estimator, scalarAdvantages, trajectories };
}
