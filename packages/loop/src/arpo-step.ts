import { computeAdvantages, type GroupAdvantages } from '@arpo/advantage';
import {
  ArpoConfigError,
  type AdvantageConfigInput,
  type Policy,
  type RewardFunction,
  type RewardOutput,
  type Rng,
  type RolloutConfigInput,
  type RolloutGroup,
  type Tool,
  type ToolExecutor,
} from '@arpo/core';
import type { EntropyTracker } from '@arpo/entropy';
import { policySamples, type PolicyOptimizer, type TfjsTrainablePolicy, type UpdateMetrics } from '@arpo/optimizer';
import { RolloutEngine, type RolloutMetrics } from '@arpo/rollout';

/** One training prompt: its tokens (chat template applied) and what the reward compares the answer with. */
export interface LoopPrompt {
  /** Group key; trajectory ids are `${promptId}/${n}`. */
  promptId: string;
  promptTokens: readonly number[];
  /** The reference answer(s) the reward scores against. */
  groundTruth: string | readonly string[];
  /** Task family (e.g. `math`, `qa`), passed to the reward. */
  ability?: string;
}

/** Everything one step reads; every stateful part is explicit (policy, optimizer, RNG, entropy tracker). */
export interface ArpoStepInput {
  /** The policy that rolls out and is trained (any tfjs `TrainablePolicy`, e.g. `@arpo/policy-tfjs`' `TfjsPolicy`). */
  policy: TfjsTrainablePolicy;
  /**
   * What generates the rollouts, when not `policy` itself: the same model spread over cores, e.g. `@arpo/optimizer`'s
   * `createParallelPolicy(policy, pool)` (the same tokens as `policy`).
   */
  rolloutPolicy?: Policy;
  /** The update: holds AdamW's state and the loss config across steps. */
  optimizer: PolicyOptimizer;
  /** A `ToolExecutor`, or plain `Tool`s (run with the rollout config's concurrency, retries and timeout). */
  tools: ToolExecutor | readonly Tool[];
  /** r(response, ground truth): the reference's hierarchical reward (`@arpo/reward`) or your own. */
  reward: RewardFunction;
  prompts: readonly LoopPrompt[];
  /** Rollout config (M, N, α, β, k, …); `mode: 'trajectory'` gives the GRPO baseline. */
  rollout?: RolloutConfigInput;
  /** Advantage config (a registered estimator, ε, std). */
  advantage?: AdvantageConfigInput;
  /** This step's RNG (sampling seeds and branch draws). */
  rng: Rng;
  /** The initial-entropy tracker, kept across steps (reference: persistent per-slot baselines). */
  tracker: EntropyTracker;
  signal?: AbortSignal;
}

/** What one step produced. */
export interface ArpoStepResult {
  /** One group of exactly M trajectories per prompt, `rewards` set. */
  groups: RolloutGroup[];
  /** The reward function's output per trajectory, aligned with `groups[g].trajectories`. */
  rewards: RewardOutput[][];
  /** Per-token advantages per group. */
  advantages: GroupAdvantages[];
  rollout: RolloutMetrics;
  update: UpdateMetrics;
  timings: { rolloutMs: number; rewardMs: number; updateMs: number; totalMs: number };
}

/**
 * One ARPO training step (paper Alg. 1), top to bottom:
 *
 * 1. Rollout (§3.1): for each prompt, N global samples; after each tool call, the entropy of the next k tokens
 *    gives ΔH and the branch probability P = clip(α + β·ΔH, 0, 1) (Eq. 4–5); branches fill the group to M.
 * 2. Reward (Eq. 8): each trajectory's decoded response (special tokens skipped, tool results included).
 * 3. Advantages (§3.2): GRPO over the M rewards, attributed to tokens by the configured estimator.
 * 4. Update (Eq. 6): the clipped surrogate over model tokens (tool results are masked out), one AdamW step per
 *    mini-batch.
 */
export async function arpoStep(input: ArpoStepInput): Promise<ArpoStepResult> {
  const { policy, optimizer, tools, reward, prompts, rng, tracker, signal } = input;
  const started = performance.now();

  // 1. Rollout: exactly M trajectories per prompt.
  const engine = new RolloutEngine({ policy: input.rolloutPolicy ?? policy, tools, config: input.rollout ?? {}, rng, tracker });
  const { groups, metrics: rollout } = await engine.run(
    prompts.map(({ promptId, promptTokens }) => ({ promptId, promptTokens })),
    signal ? { signal } : {},
  );
  const rolloutMs = performance.now() - started;

  // 2. Reward every trajectory; 3. advantages per group.
  const rewardStarted = performance.now();
  const rewards: RewardOutput[][] = [];
  for (const [g, group] of groups.entries()) {
    const prompt = prompts[g]!;
    const outputs: RewardOutput[] = [];
    for (const t of group.trajectories) {
      const response = policy.tokenizer.decode(t.responseTokens, { skipSpecialTokens: true });
      const out = await reward.score({ response, groundTruth: prompt.groundTruth, ...(prompt.ability !== undefined ? { ability: prompt.ability } : {}) });
      if (!Number.isFinite(out?.reward)) {
        throw new ArpoConfigError(`reward '${reward.name}' result`, [
          { field: `groups[${g}] ('${group.promptId}').trajectories['${t.id}'].reward`, value: out?.reward, expected: 'a finite number' },
        ]);
      }
      outputs.push(out);
    }
    group.rewards = outputs.map((o) => o.reward);
    rewards.push(outputs);
  }
  const advantages = groups.map((group) => computeAdvantages(group, input.advantage ?? {}));
  const rewardMs = performance.now() - rewardStarted;

  // 4. One clipped-surrogate update over all groups.
  const updateStarted = performance.now();
  const update = await optimizer.update(policySamples(groups, advantages));
  const updateMs = performance.now() - updateStarted;

  return { groups, rewards, advantages, rollout, update, timings: { rolloutMs, rewardMs, updateMs, totalMs: performance.now() - started } };
}
