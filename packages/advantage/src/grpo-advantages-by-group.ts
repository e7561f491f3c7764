import { ArpoConfigError } from '@arpo/core';
import { assertFiniteRewards, normalizeGroup, resolveGrpoOptions, type GrpoOptions } from './grpo-advantages.js';

/**
 * {@link grpoAdvantages} over a flat batch: rows with equal `groupIds[k]` form one group (verl's `uid`
 * grouping, one id per prompt repeated n times), and each row gets A_k normalised within its own group.
 * Groups need not be contiguous; the output is aligned with the input rows.
 *
 * @param rewards r_k per row; every value must be finite.
 * @param groupIds the group (prompt) of each row, compared with `===` semantics (a `Map` key).
 * @throws ArpoConfigError when the two lists differ in length, a reward is not finite, or an option is invalid.
 */
export function grpoAdvantagesByGroup(
  rewards: ArrayLike<number>,
  groupIds: ArrayLike<string | number>,
  options: GrpoOptions = {},
): number[] {
  const resolved = resolveGrpoOptions(options);
  if (groupIds.length !== rewards.length) {
    throw new ArpoConfigError('batch', [
      { field: 'groupIds', value: `${groupIds.length} ids`, expected: `${rewards.length} ids, one per reward` },
    ]);
  }
  assertFiniteRewards(rewards);
  const rowsByGroup = new Map<string | number, number[]>();
  for (let k = 0; k < groupIds.length; k++) {
    const id = groupIds[k]!;
    const rows = rowsByGroup.get(id);
    if (rows) rows.push(k);
    else rowsByGroup.set(id, [k]);
  }
  const out = new Array<number>(rewards.length);
  for (const rows of rowsByGroup.values()) {
    const advantages = normalizeGroup(
      rows.map((k) => rewards[k]!),
      resolved,
    );
    rows.forEach((k, n) => {
      out[k] = advantages[n]!;
    });
  }
  return out;
}
