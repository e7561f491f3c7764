import { ArpoError } from '@arpo/core';

/** `[B, L]`: B rows (sequences) of L positions, row-major in flat arrays. */
export type Shape2D = readonly [rows: number, columns: number];

/** Throws unless `shape` is two non-negative integers. */
export function checkShape(where: string, shape: Shape2D): void {
  const [b, l] = shape;
  if (!Number.isInteger(b) || !Number.isInteger(l) || b < 0 || l < 0) {
    throw new ArpoError(`${where}: shape = [${shape.join(', ')}] (expected two non-negative integers [B, L])`);
  }
}

/** Throws unless `values` has exactly `expected` entries. */
export function checkLength(where: string, name: string, values: ArrayLike<number>, expected: number): void {
  if (values.length !== expected) {
    throw new ArpoError(`${where}: ${name} has ${values.length} entries (expected ${expected})`);
  }
}

/** Throws unless every entry of a loss mask is 0 or 1. */
export function checkMask(where: string, mask: ArrayLike<number>): void {
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i];
    if (m !== 0 && m !== 1) throw new ArpoError(`${where}: mask[${i}] = ${m} (expected 0 or 1)`);
  }
}
