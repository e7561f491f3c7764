import type { RolloutGroup } from '@arpo/core';
import type { UpdateMetrics } from '@arpo/optimizer';
import type { RolloutMetrics } from '@arpo/rollout';
import type { Algorithm, TrainRow } from '../run-files.js';
import type { GroupScores } from './score-groups.js';

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Population standard deviation. */
function std(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/**
 * Mean segment entropy by position in the trajectory: index 0 is the first segment (H_initial), index i the
 * segment after the i-th tool result. Only a trajectory's own segments count (a branch's copied prefix belongs
 * to its parent), so shared segments are not counted twice.
 */
export function entropyBySegment(groups: readonly RolloutGroup[]): Array<number | null> {
  const sums: number[] = [];
  const counts: number[] = [];
  for (const g of groups) {
    for (const t of g.trajectories) {
      let toolResults = 0;
      for (const s of t.segments) {
        if (s.kind === 'tool-result') toolResults += 1;
        if (s.kind !== 'model' || s.entropy === undefined || s.start < (t.branchPoint ?? 0)) continue;
        sums[toolResults] = (sums[toolResults] ?? 0) + s.entropy;
        counts[toolResults] = (counts[toolResults] ?? 0) + 1;
      }
    }
  }
  return Array.from({ length: sums.length }, (_, i) => (counts[i] ? sums[i]! / counts[i]! : null));
}

/** Share of groups whose rewards are all equal (GRPO advantages all 0: no learning signal from the group). */
export function flatGroupShare(scores: readonly { rewards: readonly number[] }[]): number {
  return mean(scores.map((s) => (s.rewards.every((r) => r === s.rewards[0]) ? 1 : 0)));
}

/** The `metrics.jsonl` row of one RL step. */
export function trainRow(input: {
  step: number;
  algorithm: Algorithm;
  groups: readonly RolloutGroup[];
  scores: readonly GroupScores[];
  rollout: RolloutMetrics;
  update: UpdateMetrics;
  time: TrainRow['time'];
  elapsedMs: number;
}): TrainRow {
  const { rollout, update } = input;
  const rewards = input.scores.flatMap((s) => s.rewards);
  const correct = input.scores.flatMap((s) => s.correct);
  const formatErrors = input.scores.flatMap((s) => s.formatErrors);
  const bySegment = entropyBySegment(input.groups);
  return {
    type: 'train',
    step: input.step,
    algorithm: input.algorithm,
    prompts: input.groups.length,
    trajectories: rewards.length,
    rewardMean: mean(rewards),
    rewardStd: std(rewards),
    flatGroupShare: flatGroupShare(input.scores),
    accuracy: mean(correct.map(Number)),
    formatErrorRate: mean(formatErrors.map(Number)),
    toolCalls: { ...rollout.toolCallsExecuted },
    toolCallsTotal: Object.values(rollout.toolCallsExecuted).reduce((a, b) => a + b, 0),
    branches: rollout.branches,
    refills: rollout.refills,
    initialEntropy: bySegment[0] ?? null,
    entropyAfterTool: rollout.meanEntropyAfterTool,
    deltaHAfterTool: rollout.meanDeltaHAfterTool,
    entropyBySegment: bySegment,
    loss: update.loss,
    kl: update.kl ?? update.approxKl,
    clipFraction: update.clipFrac,
    gradNorm: update.gradNorm,
    learningRate: update.lr,
    tokensGenerated: rollout.tokensGenerated,
    ...(rollout.preMonitor
      ? { probeTokens: rollout.probeTokens, probeToolCalls: rollout.probeToolCalls, initialRolloutsMean: mean(rollout.preMonitor.initialRollouts) }
      : {}),
    tokensPerSecond: rollout.tokensGenerated / Math.max(1e-9, input.time.rolloutMs / 1000),
    time: input.time,
    elapsedMs: input.elapsedMs,
  };
}
