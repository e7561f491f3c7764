import { ArpoConfigError, type RewardFunction, type RewardOutput, type RolloutGroup, type Tokenizer } from '@arpo/core';
import { scoreResponse, type TaskExample } from '@arpo/tasks';

/** Scores of one rollout group's trajectories. */
export interface GroupScores {
  rewards: number[];
  correct: boolean[];
  formatErrors: boolean[];
}

/**
 * The trainer's view of a scored group: the rewards the step used (the run's reward function, paper Eq. 8 by
 * default, on the decoded response with tool results), whether each had a format error, and `correct` in the
 * evaluation's sense (exact match / math equivalence), used for the accuracy metric only.
 */
export function groupScores(group: RolloutGroup, rewards: readonly RewardOutput[], example: TaskExample, tokenizer: Tokenizer): GroupScores {
  return {
    rewards: rewards.map((r) => r.reward),
    formatErrors: rewards.map((r) => r.formatError !== undefined),
    correct: group.trajectories.map((t) => scoreResponse(tokenizer.decode(t.responseTokens, { skipSpecialTokens: true }), example).correct),
  };
}

/** Rewards every trajectory of a group with `reward` and returns {@link groupScores} (for scoring outside a step). */
export async function scoreGroup(group: RolloutGroup, example: TaskExample, tokenizer: Tokenizer, reward: RewardFunction): Promise<GroupScores> {
  const outputs: RewardOutput[] = [];
  for (const t of group.trajectories) {
    const response = tokenizer.decode(t.responseTokens, { skipSpecialTokens: true });
    const r = await reward.score({ response, groundTruth: example.answers, ability: example.ability });
    if (!Number.isFinite(r.reward)) {
      throw new ArpoConfigError(`reward '${reward.name}' result`, [{ field: `trajectories['${t.id}'].reward`, value: r.reward, expected: 'a finite number' }]);
    }
    outputs.push(r);
  }
  return groupScores(group, outputs, example, tokenizer);
}
