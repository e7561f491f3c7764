import { ArpoConfigError, type FieldProblem } from '@arpo/core';

/** One sequence of an RL update: a trajectory with its per-token advantages (aligned arrays). */
export interface PolicySample {
  /** Used in error messages (the trajectory id). */
  id?: string;
  /** The GRPO group (prompt) this sequence answers; PPO mini-batches are made of whole prompts. */
  promptId: string;
  promptTokens: readonly number[];
  /** Model tokens and tool-result tokens, in order. */
  responseTokens: readonly number[];
  /** Per response token: 1 = trained on, 0 = tool result. */
  lossMask: ArrayLike<number>;
  /** Â per response token (`@arpo/advantage`'s `computeAdvantages`). */
  advantages: ArrayLike<number>;
  /** log-prob of each response token under the sampler; needed with `oldLogprobSource: 'sampler'`. */
  samplerLogprobs?: ArrayLike<number> | undefined;
}

/** One sequence of an SFT step. */
export interface SftSample {
  id?: string;
  promptTokens: readonly number[];
  responseTokens: readonly number[];
  /** 1 = model token (trained on), 0 = tool result (excluded). */
  lossMask: ArrayLike<number>;
}

/** The trajectory fields {@link policySamples} reads (every `@arpo/core` `Trajectory` has them). */
export interface SampleTrajectory {
  id: string;
  promptId: string;
  promptTokens: readonly number[];
  responseTokens: readonly number[];
  lossMask: ArrayLike<number>;
  samplerLogprobs?: ArrayLike<number> | undefined;
}

/**
 * Joins rollout groups with their advantages (`computeAdvantages(group)` of `@arpo/advantage`, aligned with
 * the group's trajectories) into the samples of {@link PolicyOptimizer.update}.
 * @throws ArpoConfigError when a group and its advantages do not line up (count or ids).
 */
export function policySamples(
  groups: readonly { promptId: string; trajectories: readonly SampleTrajectory[] }[],
  advantages: readonly { trajectories: readonly { id: string; advantages: ArrayLike<number> }[] }[],
): PolicySample[] {
  if (groups.length !== advantages.length) {
    throw new ArpoConfigError('policy samples', [{ field: 'advantages', value: `${advantages.length} groups`, expected: `${groups.length} groups, one per rollout group` }]);
  }
  const out: PolicySample[] = [];
  groups.forEach((g, gi) => {
    const adv = advantages[gi]!.trajectories;
    if (adv.length !== g.trajectories.length) {
      throw new ArpoConfigError(`policy samples of prompt ${g.promptId}`, [
        { field: `advantages[${gi}].trajectories`, value: `${adv.length} entries`, expected: `${g.trajectories.length}, one per trajectory` },
      ]);
    }
    g.trajectories.forEach((t, ti) => {
      const a = adv[ti]!;
      if (a.id !== t.id) {
        throw new ArpoConfigError(`policy samples of prompt ${g.promptId}`, [{ field: `advantages[${gi}].trajectories[${ti}].id`, value: a.id, expected: `"${t.id}" (aligned with the group's trajectories)` }]);
      }
      out.push({
        id: t.id,
        promptId: t.promptId,
        promptTokens: t.promptTokens,
        responseTokens: t.responseTokens,
        lossMask: t.lossMask,
        advantages: a.advantages,
        samplerLogprobs: t.samplerLogprobs,
      });
    });
  });
  return out;
}

const label = (s: { id?: string | undefined }, i: number): string => (s.id === undefined ? `samples[${i}]` : `samples[${i}] (${s.id})`);

/** Checks token ids, aligned lengths, 0/1 masks and finite advantages / sampler log-probs. */
export function validateSamples(
  subject: string,
  samples: readonly (SftSample & { advantages?: ArrayLike<number>; samplerLogprobs?: ArrayLike<number> | undefined })[],
): void {
  const problems: FieldProblem[] = [];
  samples.forEach((s, i) => {
    const n = s.responseTokens.length;
    const f = label(s, i);
    if (s.promptTokens.length === 0) problems.push({ field: `${f}.promptTokens`, value: [], expected: 'at least one token (e.g. BOS)' });
    if (s.lossMask.length !== n) problems.push({ field: `${f}.lossMask`, value: `${s.lossMask.length} entries`, expected: `${n}, one per response token` });
    for (let t = 0; t < s.lossMask.length; t++) {
      if (s.lossMask[t] !== 0 && s.lossMask[t] !== 1) {
        problems.push({ field: `${f}.lossMask[${t}]`, value: s.lossMask[t], expected: '0 or 1' });
        break;
      }
    }
    for (const key of ['advantages', 'samplerLogprobs'] as const) {
      const arr = s[key];
      if (arr === undefined) continue;
      if (arr.length !== n) {
        problems.push({ field: `${f}.${key}`, value: `${arr.length} entries`, expected: `${n}, one per response token` });
        continue;
      }
      for (let t = 0; t < n; t++) {
        if (!Number.isFinite(arr[t])) {
          problems.push({ field: `${f}.${key}[${t}]`, value: arr[t], expected: 'a finite number' });
          break;
        }
      }
    }
  });
  if (problems.length > 0) throw new ArpoConfigError(subject, problems.slice(0, 10));
}
