import { ArpoConfigError } from '@arpo/core';

/**
 * A branch does not start with its parent's first `branchPoint` response tokens (or loss-mask entries),
 * so the tree's sharing structure is not the one its parent links claim. Thrown by
 * {@link validateBranchPrefixes}.
 */
export class BranchPrefixError extends ArpoConfigError {
  override name = 'BranchPrefixError';

  constructor(
    subject: string,
    /** Id of the branch whose prefix differs. */
    readonly trajectoryId: string,
    /** Its index in `group.trajectories`. */
    readonly trajectoryIndex: number,
    /** Id of its parent. */
    readonly parentId: string,
    /** The branch's `branchPoint`. */
    readonly branchPoint: number,
    /** The first position j < branchPoint where the two differ. */
    readonly position: number,
    /** Which array differs there. */
    readonly array: 'responseTokens' | 'lossMask',
    /** The branch's entry at `position`. */
    actual: number | undefined,
    /** The parent's entry at `position`. */
    expectedValue: number | undefined,
  ) {
    super(subject, [
      {
        field: `trajectory ${JSON.stringify(trajectoryId)} (trajectories[${trajectoryIndex}]) ${array}[${position}]`,
        value: actual,
        expected:
          `${String(expectedValue)}, the parent ${JSON.stringify(parentId)}'s entry: a branch shares its parent's first ` +
          `branchPoint = ${branchPoint} ${array === 'lossMask' ? 'loss-mask entries' : 'response tokens'}; position ${position} is the first that differs`,
      },
    ]);
  }
}
