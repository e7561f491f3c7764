import type { AttributionGroup } from './advantage-group.js';
import { buildRolloutTree, foldSharers, inheritShared } from './rollout-tree.js';

/**
 * d for every response token: how many trajectories of the group share token j of trajectory i (1 for a
 * branch-specific token), by the same tree rule as {@link hardAttribution}. Useful for metrics (the fraction
 * of shared tokens) and for checking a tree. Does not compare token values; see {@link validateBranchPrefixes}.
 *
 * @returns one `Uint32Array` per trajectory, aligned with its `responseTokens`.
 * @throws ArpoConfigError for broken parent links.
 */
export function sharingCounts(group: AttributionGroup): Uint32Array[] {
  const tree = buildRolloutTree(group);
  const { counts } = foldSharers(group, tree, null);
  return inheritShared(tree, counts);
}
