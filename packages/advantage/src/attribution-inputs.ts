/* Input checks shared by the attribution functions: one 0/1 loss-mask entry per token, one finite A_i per trajectory. */
import { ArpoConfigError } from '@arpo/core';
import type { AttributionGroup } from './advantage-group.js';
import { groupSubject } from './rollout-tree.js';

/**
 * The loss mask of trajectory `index` as a `Uint8Array` copy, checked to have one 0/1 entry per response token.
 * In the reference `loss_mask = result_mask × response_attention_mask` (spec §2.2 "After the loop"); a
 * trajectory here is unpadded and ends at its EOS, so the attention factor is 1 on every response token and
 * the loss mask is the result mask: 1 for model tokens and the injected call-limit EOS, 0 for tool results.
 */
export function checkedLossMask(group: AttributionGroup, index: number): Uint8Array {
  const t = group.trajectories[index]!;
  const n = t.responseTokens.length;
  const field = `trajectories[${index}] (${JSON.stringify(t.id)}).lossMask`;
  if (t.lossMask.length !== n) {
    throw new ArpoConfigError(groupSubject(group), [
      { field, value: `${t.lossMask.length} entries`, expected: `${n} entries, one per response token` },
    ]);
  }
  const mask = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const v = t.lossMask[j];
    if (v !== 0 && v !== 1) {
      throw new ArpoConfigError(groupSubject(group), [{ field: `${field}[${j}]`, value: v, expected: '0 or 1' }]);
    }
    mask[j] = v;
  }
  return mask;
}

/** Checks that there is one finite scalar advantage A_i per trajectory of the group. */
export function checkScalarAdvantages(group: AttributionGroup, advantages: ArrayLike<number>): void {
  if (advantages.length !== group.trajectories.length) {
    throw new ArpoConfigError(groupSubject(group), [
      {
        field: 'advantages',
        value: `${advantages.length} values`,
        expected: `${group.trajectories.length} values, one per trajectory`,
      },
    ]);
  }
  for (let i = 0; i < advantages.length; i++) {
    const a = advantages[i];
    if (typeof a !== 'number' || !Number.isFinite(a)) {
      throw new ArpoConfigError(groupSubject(group), [{ field: `advantages[${i}]`, value: a, expected: 'a finite number' }]);
    }
  }
}
