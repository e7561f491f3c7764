import { ArpoConfigError, type FieldProblem } from '@arpo/core';
import type { AttributionGroup } from './advantage-group.js';

/** The parent links of a group as indices: the forest that branching builds (internal). */
export interface RolloutTree {
  /** Index of each trajectory's parent in `group.trajectories`, −1 for a global or refill sample. */
  readonly parent: Int32Array;
  /** Response tokens each trajectory shares with its parent (its `branchPoint`); 0 for a root. */
  readonly branchPoint: Int32Array;
}

/** Subject of errors about a group: `rollout group "<promptId>"`. */
export function groupSubject(group: AttributionGroup): string {
  return `rollout group ${JSON.stringify(group.promptId)}`;
}

/**
 * Reads the parent links of `group` and checks the structure attribution relies on: unique ids, every
 * `parentId` naming an EARLIER trajectory, `branchPoint` null exactly for roots, and for a branch an integer
 * 0 ≤ branchPoint ≤ min(parent's, own response length). Throws one `ArpoConfigError` listing every problem.
 */
export function buildRolloutTree(group: AttributionGroup): RolloutTree {
  const { trajectories } = group;
  const parent = new Int32Array(trajectories.length).fill(-1);
  const branchPoint = new Int32Array(trajectories.length);
  const problems: FieldProblem[] = [];
  const indexById = new Map<string, number>();
  trajectories.forEach((t, i) => {
    const at = `trajectories[${i}] (${JSON.stringify(t.id)})`;
    if (indexById.has(t.id)) {
      problems.push({ field: `trajectories[${i}].id`, value: t.id, expected: 'an id unique within the group' });
    }
    if (t.parentId === null) {
      if (t.branchPoint !== null) {
        problems.push({ field: `${at}.branchPoint`, value: t.branchPoint, expected: 'null, as parentId is null' });
      }
    } else {
      const p = indexById.get(t.parentId);
      const bp = t.branchPoint;
      if (p === undefined) {
        problems.push({ field: `${at}.parentId`, value: t.parentId, expected: 'the id of an earlier trajectory of the group' });
      } else if (bp === null || !Number.isInteger(bp) || bp < 0) {
        problems.push({ field: `${at}.branchPoint`, value: bp, expected: 'an integer >= 0, as parentId is set' });
      } else {
        const limit = Math.min(trajectories[p]!.responseTokens.length, t.responseTokens.length);
        if (bp > limit) {
          problems.push({
            field: `${at}.branchPoint`,
            value: bp,
            expected: `at most ${limit} (the parent's response length is ${trajectories[p]!.responseTokens.length}, this one's ${t.responseTokens.length})`,
          });
        } else {
          parent[i] = p;
          branchPoint[i] = bp;
        }
      }
    }
    if (!indexById.has(t.id)) indexById.set(t.id, i);
  });
  if (problems.length > 0) throw new ArpoConfigError(groupSubject(group), problems);
  return { parent, branchPoint };
}

/**
 * For every trajectory i and position j, the sum of `values[k]` and the count d over the trajectories k
 * that share token j THROUGH i: i itself plus, recursively, every child c of i with j < branchPoint(c).
 * Entries at j < branchPoint(i) are partial (token j there belongs to an ancestor); callers take those from
 * the parent (see {@link inheritShared}). O(Σ response lengths): children come after parents, so one
 * reverse pass folds each child into its parent.
 */
export function foldSharers(
  group: AttributionGroup,
  tree: RolloutTree,
  values: ArrayLike<number> | null,
): { sums: Float64Array[]; counts: Uint32Array[] } {
  const m = group.trajectories.length;
  const sums: Float64Array[] = new Array<Float64Array>(m);
  const counts: Uint32Array[] = new Array<Uint32Array>(m);
  for (let i = 0; i < m; i++) {
    const length = group.trajectories[i]!.responseTokens.length;
    sums[i] = new Float64Array(length).fill(values === null ? 0 : values[i]!);
    counts[i] = new Uint32Array(length).fill(1);
  }
  for (let i = m - 1; i >= 0; i--) {
    const p = tree.parent[i]!;
    if (p < 0) continue;
    const bp = tree.branchPoint[i]!;
    const childSum = sums[i]!;
    const childCount = counts[i]!;
    const parentSum = sums[p]!;
    const parentCount = counts[p]!;
    for (let j = 0; j < bp; j++) {
      parentSum[j]! += childSum[j]!;
      parentCount[j]! += childCount[j]!;
    }
  }
  return { sums, counts };
}

/** Copies positions [0, branchPoint) of each branch from its parent, in creation order (parents first). */
export function inheritShared<A extends Float32Array | Uint32Array>(tree: RolloutTree, perTrajectory: A[]): A[] {
  for (let i = 0; i < perTrajectory.length; i++) {
    const p = tree.parent[i]!;
    if (p < 0) continue;
    perTrajectory[i]!.set(perTrajectory[p]!.subarray(0, tree.branchPoint[i]!));
  }
  return perTrajectory;
}
