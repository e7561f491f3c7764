import type { AttributionGroup, TrajectoryAdvantages } from './advantage-group.js';
import { checkScalarAdvantages, checkedLossMask } from './attribution-inputs.js';

/**
 * Soft advantage attribution, the reference and paper default (paper §3.2 and App. D.1; spec §3): plain
 * GRPO over the G = M full sequences. Every trained token t of trajectory i gets its trajectory's scalar
 * advantage, Â_{i,t} = A_i; tool-result tokens (loss mask 0) get 0.
 *
 * Shared-prefix tokens are not deduplicated: they appear once per descendant with identical log-probs and
 * importance ratios, so their gradient sums the d descendants' advantages, which the paper argues
 * approximates the hard shared advantage Â^{shared}_{i,t} (Eq. 7 as cited in spec §3; App. D.1, Eq. 19).
 *
 * @param group the rollout group (any `RolloutGroup`); parent links are not read.
 * @param advantages A_i per trajectory, usually from {@link grpoAdvantages}.
 * @returns per trajectory, in group order: `advantages` aligned with `responseTokens`, and the loss mask.
 * @throws ArpoConfigError when `advantages` does not have one finite value per trajectory or a loss mask
 *   does not have one 0/1 entry per response token.
 */
export function softAttribution(group: AttributionGroup, advantages: ArrayLike<number>): TrajectoryAdvantages[] {
  checkScalarAdvantages(group, advantages);
  return group.trajectories.map((t, i) => {
    const lossMask = checkedLossMask(group, i);
    const a = advantages[i]!;
    const out = new Float32Array(lossMask.length);
    for (let j = 0; j < out.length; j++) out[j] = lossMask[j] === 1 ? a : 0;
    return { id: t.id, advantages: out, lossMask };
  });
}
