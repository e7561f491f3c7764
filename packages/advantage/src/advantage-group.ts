import type { RolloutGroup, Trajectory } from '@arpo/core';

/**
 * The fields of a {@link Trajectory} that advantage attribution reads. Every `Trajectory` from `@arpo/core`
 * is one; users with their own rollout records only need these five fields.
 */
export interface AttributionTrajectory {
  /** Unique within the group; named in error messages. */
  readonly id: string;
  /** Response tokens (model and tool-result tokens, in order). */
  readonly responseTokens: readonly number[];
  /** Per response token: 1 = trained on (model token or injected EOS), 0 = tool-result token. */
  readonly lossMask: readonly number[];
  /** The trajectory this one branched from (an earlier one of the group); null for a global or refill sample. */
  readonly parentId: string | null;
  /** Response tokens shared with the parent at the fork; null exactly when `parentId` is null. */
  readonly branchPoint: number | null;
}

/**
 * The part of a {@link RolloutGroup} that advantage attribution reads: the G = M trajectories of one prompt,
 * in creation order (parents before children).
 */
export interface AttributionGroup {
  readonly promptId: string;
  readonly trajectories: readonly AttributionTrajectory[];
}

/** Per-token output for one trajectory, aligned with its `responseTokens`. */
export interface TrajectoryAdvantages {
  /** The trajectory's id. */
  readonly id: string;
  /** Â_{i,t} per response token (float32, as on device); 0 wherever `lossMask` is 0. */
  readonly advantages: Float32Array;
  /** A copy of the trajectory's loss mask: 1 = trained on, 0 = tool-result token. */
  readonly lossMask: Uint8Array;
}
