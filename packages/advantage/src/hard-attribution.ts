import type { AttributionGroup, TrajectoryAdvantages } from './advantage-group.js';
import { checkScalarAdvantages, checkedLossMask } from './attribution-inputs.js';
import { buildRolloutTree, foldSharers, inheritShared } from './rollout-tree.js';
import { validateBranchPrefixes } from './validate-branch-prefixes.js';

/**
 * Hard advantage attribution (paper §3.2; spec §3; not in the reference repository, which dropped it as
 * worse than soft: "all the experiments in the paper are based on soft", issue #6).
 *
 * - Individual (branch-specific) tokens keep their trajectory's advantage: Â_{i,t} = A_i, with
 *   A_i = (r_i − mean{R})/std{R} over the whole group of G = M rollouts.
 * - A token shared by d trajectories gets the mean of their advantages:
 *   Â^{shared}_{i,t} = (1/d) Σ_{k=1..d} A_k (Eq. 7 as cited in spec §3).
 *
 * Sharing is read from the tree: token j of trajectory i is OWNED by the ancestor reached by walking up the
 * parent links while j < branchPoint; the d sharers of (i, j) are the trajectories whose token j has the
 * same owner. Every sharer gets the same value, and Σ over sharers of Â equals Σ of their A_k, so the
 * mask-weighted total over the group equals soft attribution's. Tool-result tokens (loss mask 0) get 0.
 *
 * O(Σ response lengths) = O(M·L): one reverse pass folds each branch's per-position sums into its parent,
 * one forward pass copies shared positions down.
 *
 * @param group the rollout group (any `RolloutGroup`), trajectories in creation order.
 * @param advantages A_i per trajectory, usually from {@link grpoAdvantages}.
 * @returns per trajectory, in group order: `advantages` aligned with `responseTokens`, and the loss mask.
 * @throws BranchPrefixError (from {@link validateBranchPrefixes}) when a branch's prefix differs from its
 *   parent's; ArpoConfigError for broken parent links, a bad loss mask or bad advantages.
 */
export function hardAttribution(group: AttributionGroup, advantages: ArrayLike<number>): TrajectoryAdvantages[] {
  checkScalarAdvantages(group, advantages);
  validateBranchPrefixes(group);
  const tree = buildRolloutTree(group);
  const masks = group.trajectories.map((_, i) => checkedLossMask(group, i));
  const { sums, counts } = foldSharers(group, tree, advantages);
  const out = masks.map((mask, i) => {
    const values = new Float32Array(mask.length);
    const sum = sums[i]!;
    const count = counts[i]!;
    // Owned positions; [0, branchPoint) is copied from the parent below.
    for (let j = tree.branchPoint[i]!; j < values.length; j++) {
      values[j] = mask[j] === 1 ? sum[j]! / count[j]! : 0;
    }
    return values;
  });
  inheritShared(tree, out);
  return group.trajectories.map((t, i) => ({ id: t.id, advantages: out[i]!, lossMask: masks[i]! }));
}
