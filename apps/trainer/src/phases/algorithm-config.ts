import type { LossConfig, RolloutConfig } from '@arpo/core';
import type { Algorithm } from '../run-files.js';

/** Every RL algorithm `train.algorithm` names, in the order `arpo compare` runs them. */
export const ALGORITHMS: readonly Algorithm[] = ['grpo', 'arpo', 'aepo'];

/**
 * AEPO (arXiv 2510.14545) as this trainer runs it: all four entropy-balanced options on (docs/algorithm.md §8). Each
 * can also be set alone under `arpo` with `train.algorithm: arpo`.
 */
export const AEPO_OPTIONS = {
  rollout: { globalBudget: 'entropy-pre-monitoring', branchRule: 'consecutive-penalty' },
  loss: { policyLoss: 'entropy-balanced', entropyAdvantageWeight: 0.2 },
} as const;

/**
 * The rollout and loss configs of one algorithm over the run's `arpo` section:
 * - `grpo`: M independent trajectories per prompt (`mode: trajectory`, `globalBudget: fixed`), no branching;
 * - `arpo`: the entropy-based adaptive rollout (`mode: adaptive`) with the section's options;
 * - `aepo`: `arpo` plus {@link AEPO_OPTIONS} (they win over the section's values for those four fields).
 */
export function algorithmConfigs(algorithm: Algorithm, rollout: RolloutConfig, loss: LossConfig): { rollout: RolloutConfig; loss: LossConfig } {
  if (algorithm === 'grpo') {
    const { initialRollouts: _n, ...rest } = rollout;
    // M independent samples: no global budget to plan (the loss section applies as it is, to any algorithm).
    return { rollout: { ...rest, mode: 'trajectory', globalBudget: 'fixed' } as RolloutConfig, loss };
  }
  if (algorithm === 'arpo') return { rollout: { ...rollout, mode: 'adaptive' }, loss };
  return { rollout: { ...rollout, mode: 'adaptive', ...AEPO_OPTIONS.rollout }, loss: { ...loss, ...AEPO_OPTIONS.loss } };
}
