import type { AttributionGroup } from './advantage-group.js';
import { BranchPrefixError } from './branch-prefix-error.js';
import { buildRolloutTree, groupSubject } from './rollout-tree.js';

/**
 * Checks that the tree a group's parent links describe is the tree its tokens show: for every branch i with
 * parent p, `responseTokens` and `lossMask` of i equal those of p on [0, branchPoint(i)) (the rollout copies
 * the parent's arrays at the fork, spec §2.2 step 6). Also checks the links themselves (unique ids, parents
 * earlier in the group, 0 ≤ branchPoint ≤ both response lengths).
 *
 * O(Σ branchPoint). Called by {@link hardAttribution}, whose shared positions are defined by the links.
 *
 * @throws BranchPrefixError naming the trajectory id and the first differing position.
 * @throws ArpoConfigError for broken links.
 */
export function validateBranchPrefixes(group: AttributionGroup): void {
  const tree = buildRolloutTree(group);
  const { trajectories } = group;
  for (let i = 0; i < trajectories.length; i++) {
    const p = tree.parent[i]!;
    if (p < 0) continue;
    const child = trajectories[i]!;
    const parent = trajectories[p]!;
    const bp = tree.branchPoint[i]!;
    for (let j = 0; j < bp; j++) {
      const array =
        child.responseTokens[j] !== parent.responseTokens[j]
          ? 'responseTokens'
          : child.lossMask[j] !== parent.lossMask[j]
            ? 'lossMask'
            : null;
      if (array !== null) {
        throw new BranchPrefixError(groupSubject(group), child.id, i, parent.id, bp, j, array, child[array][j], parent[array][j]);
      }
    }
  }
}
