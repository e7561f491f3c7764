import { ArpoError } from '@arpo/core';

/** One PPO mini-batch: whole prompts (all their sequences), split into micro-batches of sample indices. */
export interface MiniBatchPlan {
  /** The prompt ids, in order of first appearance. */
  promptIds: string[];
  /** Sample indices of each micro-batch (at most `microBatchSize` each). */
  microBatches: number[][];
  /** All sample indices of the mini-batch. */
  samples: number[];
}

/**
 * Splits an update batch into PPO mini-batches of `miniBatchSize` prompts × their M sequences (verl
 * multiplies `ppo_mini_batch_size` by n; spec §5), in order of first appearance, and each mini-batch into
 * micro-batches of at most `microBatchSize` sequences (gradient accumulation). The last mini-batch holds
 * the remaining prompts when the count is not a multiple.
 */
export function planMiniBatches(samples: readonly { promptId: string }[], miniBatchSize: number, microBatchSize: number): MiniBatchPlan[] {
  for (const [name, v] of [['miniBatchSize', miniBatchSize], ['microBatchSize', microBatchSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArpoError(`planMiniBatches: ${name} = ${v} (expected an integer >= 1)`);
  }
  const byPrompt = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const list = byPrompt.get(s.promptId);
    if (list) list.push(i);
    else byPrompt.set(s.promptId, [i]);
  });
  const prompts = [...byPrompt.keys()];
  const plans: MiniBatchPlan[] = [];
  for (let p = 0; p < prompts.length; p += miniBatchSize) {
    const promptIds = prompts.slice(p, p + miniBatchSize);
    const members = promptIds.flatMap((id) => byPrompt.get(id)!);
    plans.push({ promptIds, microBatches: splitMicroBatches(members, microBatchSize), samples: members });
  }
  return plans;
}

/** Splits sample indices into consecutive micro-batches of at most `microBatchSize` (the last one shorter). */
export function splitMicroBatches(indices: readonly number[], microBatchSize: number): number[][] {
  if (!Number.isInteger(microBatchSize) || microBatchSize < 1) {
    throw new ArpoError(`splitMicroBatches: microBatchSize = ${microBatchSize} (expected an integer >= 1)`);
  }
  const micro: number[][] = [];
  for (let k = 0; k < indices.length; k += microBatchSize) micro.push(indices.slice(k, k + microBatchSize));
  return micro;
}
