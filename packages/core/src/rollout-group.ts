import { z } from 'zod';
import { TrajectorySchema } from './trajectory.js';

/** Counters of one group's rollout, for metrics and the tool-budget comparison (paper §4.6). */
export const RolloutGroupStatsSchema = z.object({
  /** Tool calls actually executed (shared prefix calls counted once). */
  toolCallsExecuted: z.number().int().min(0),
  /** Tool calls summed over the M trajectories (shared prefix calls counted per trajectory). */
  toolCallsInTrajectories: z.number().int().min(0),
  /** Branches created. */
  branches: z.number().int().min(0),
  /** Fresh trajectories added because no trajectory of the prompt was live (spec §2.2 step 7). */
  refills: z.number().int().min(0),
  /** Generation rounds. */
  rounds: z.number().int().min(0),
});
export type RolloutGroupStats = z.infer<typeof RolloutGroupStatsSchema>;

/**
 * The M trajectories of one prompt: the GRPO group. Ordered as the reference orders them (global
 * samples first, then branches and refills in creation order). Parent links make it a forest.
 */
export const RolloutGroupSchema = z
  .object({
    promptId: z.string().min(1),
    promptTokens: z.array(z.number().int().min(0)),
    trajectories: z.array(TrajectorySchema).min(1),
    /** Scalar reward per trajectory, aligned with `trajectories`, once scored. */
    rewards: z.array(z.number()).optional(),
    stats: RolloutGroupStatsSchema.optional(),
  })
  .superRefine((g, ctx) => {
    const ids = new Map<string, number>();
    g.trajectories.forEach((t, i) => {
      if (t.promptId !== g.promptId) {
        ctx.addIssue({ code: 'custom', path: ['trajectories', i, 'promptId'], input: t.promptId, message: `"${g.promptId}" (the group's promptId)` });
      }
      if (ids.has(t.id)) {
        ctx.addIssue({ code: 'custom', path: ['trajectories', i, 'id'], input: t.id, message: 'an id unique within the group' });
      }
      if (t.parentId !== null) {
        const parent = ids.get(t.parentId);
        if (parent === undefined) {
          ctx.addIssue({ code: 'custom', path: ['trajectories', i, 'parentId'], input: t.parentId, message: 'the id of an earlier trajectory of the group' });
        } else if (t.branchPoint !== null && t.branchPoint > g.trajectories[parent]!.responseTokens.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['trajectories', i, 'branchPoint'],
            input: t.branchPoint,
            message: `at most the parent's response length (${g.trajectories[parent]!.responseTokens.length})`,
          });
        }
      }
      ids.set(t.id, i);
    });
    if (g.rewards && g.rewards.length !== g.trajectories.length) {
      ctx.addIssue({ code: 'custom', path: ['rewards'], input: g.rewards.length, message: `${g.trajectories.length} rewards, one per trajectory` });
    }
  });
export type RolloutGroup = z.infer<typeof RolloutGroupSchema>;
