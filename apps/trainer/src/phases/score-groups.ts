import type { RewardFunction, RolloutGroup, Tokenizer } from '@arpo/core';
import { scoreResponse, type TaskExample } from '@arpo/tasks';

/** Scores of one rollout group's trajectories. */
export interface GroupScores {
  rewards: number[];
  correct: boolean[];
  formatErrors: boolean[];
}

/**
 * Rewards every trajectory of a group with the run's reward function (paper Eq. 8 by default) on the decoded
 * response, special tokens skipped, tool results included (as the reference scores it); `correct` is the
 * evaluation's notion (exact match / math equivalence), used for the accuracy metric only.
 */
export async function scoreGroup(group: RolloutGroup, example: TaskExample, tokenizer: Tokenizer, reward: RewardFunction): Promise<GroupScores> {
  const out: GroupScores = { rewards: [], correct: [], formatErrors: [] };
  for (const t of group.trajectories) {
    const response = tokenizer.decode(t.responseTokens, { skipSpecialTokens: true });
    const r = await reward.score({ response, groundTruth: example.answers, ability: example.ability });
    if (!Number.isFinite(r.reward)) throw new Error(`reward ${reward.name} returned ${r.reward} for trajectory ${t.id} of ${group.promptId} (expected a finite number)`);
    out.rewards.push(r.reward);
    out.formatErrors.push(r.formatError !== undefined);
    out.correct.push(scoreResponse(response, example).correct);
  }
  return out;
}
