import { ArpoConfigError, NamedRegistry, type AdvantageConfig } from '@arpo/core';
import type { AttributionGroup, TrajectoryAdvantages } from './advantage-group.js';
import { grpoAdvantages } from './grpo-advantages.js';
import { hardAttribution } from './hard-attribution.js';
import { softAttribution } from './soft-attribution.js';

/** What an advantage estimator computes for one group. */
export interface EstimatedAdvantages {
  /** A_i per trajectory, aligned with `group.trajectories` (reported in metrics). */
  scalarAdvantages: number[];
  /** Â_{i,t} per response token and the loss mask, per trajectory, aligned with `group.trajectories`. */
  trajectories: TrajectoryAdvantages[];
}

/**
 * An advantage estimator: a scored group (rewards finite and aligned, checked before) and the parsed advantage
 * config → per-token advantages. Register one with {@link registerAdvantageEstimator} and select it with
 * `advantage.estimator`.
 */
export type AdvantageEstimator = (group: AttributionGroup & { readonly rewards: readonly number[] }, config: AdvantageConfig) => EstimatedAdvantages;

const grpoThen =
  (attribute: (group: AttributionGroup, scalar: readonly number[]) => TrajectoryAdvantages[]): AdvantageEstimator =>
  (group, { eps, std, normalizeByStd }) => {
    const scalarAdvantages = grpoAdvantages(group.rewards, { eps, std, normalizeByStd });
    return { scalarAdvantages, trajectories: attribute(group, scalarAdvantages) };
  };

/**
 * The advantage estimators by name. Built in: `soft` (GRPO A_i on every token of trajectory i; the reference) and
 * `hard` (GRPO, then tokens shared by d trajectories get the mean of the d advantages; paper §3.2).
 */
export const advantageEstimators = new NamedRegistry<AdvantageEstimator>('advantage estimator', 'advantage.estimator', {
  soft: grpoThen(softAttribution),
  hard: grpoThen(hardAttribution),
});

/** Registers an advantage estimator under `name` (selected by `advantage.estimator: name`). */
export function registerAdvantageEstimator(name: string, estimator: AdvantageEstimator, options?: { replace?: boolean }): void {
  advantageEstimators.register(name, estimator, options);
}

/** Checks what an estimator returned: one entry per trajectory, one finite advantage and mask value per token. */
export function checkEstimated(out: EstimatedAdvantages, group: AttributionGroup, name: string): EstimatedAdvantages {
  const subject = `advantage estimator '${name}' result for group '${group.promptId}'`;
  const n = group.trajectories.length;
  if (!out || !Array.isArray(out.scalarAdvantages) || out.scalarAdvantages.length !== n) {
    throw new ArpoConfigError(subject, [{ field: 'scalarAdvantages.length', value: out?.scalarAdvantages?.length, expected: `${n}, one per trajectory` }]);
  }
  if (!Array.isArray(out.trajectories) || out.trajectories.length !== n) {
    throw new ArpoConfigError(subject, [{ field: 'trajectories.length', value: out?.trajectories?.length, expected: `${n}, one per trajectory` }]);
  }
  out.trajectories.forEach((t, i) => {
    const len = group.trajectories[i]!.responseTokens.length;
    if (t.advantages.length !== len || t.lossMask.length !== len) {
      throw new ArpoConfigError(subject, [{ field: `trajectories[${i}].advantages.length`, value: t.advantages.length, expected: `${len}, one per response token` }]);
    }
    const bad = t.advantages.findIndex((a) => !Number.isFinite(a));
    if (bad >= 0) throw new ArpoConfigError(subject, [{ field: `trajectories[${i}].advantages[${bad}]`, value: t.advantages[bad], expected: 'a finite number' }]);
  });
  return out;
}
