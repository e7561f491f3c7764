import { ArpoConfigError, ArpoError } from '@arpo/core';

/** Throws `ArpoConfigError` naming `field` unless `value` is a finite number > 0. */
export function checkPositive(subject: string, field: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new ArpoConfigError(subject, [{ field, value, expected: 'a finite number > 0' }]);
  }
}

/** Throws `ArpoConfigError` naming `field` unless `value` is an integer >= `min`. */
export function checkInteger(subject: string, field: string, value: number, min: number): void {
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= min)) {
    throw new ArpoConfigError(subject, [{ field, value, expected: `an integer >= ${min}` }]);
  }
}

/** Throws `ArpoConfigError` naming `field` unless `value` is a number in [lo, hi]. */
export function checkInRange(subject: string, field: string, value: number, lo: number, hi: number): void {
  if (!(typeof value === 'number' && value >= lo && value <= hi)) {
    throw new ArpoConfigError(subject, [{ field, value, expected: `a number in [${lo}, ${hi}]` }]);
  }
}

/** Throws `ArpoConfigError` naming `field` unless `value` is a finite number. */
export function checkFiniteOption(subject: string, field: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value))) {
    throw new ArpoConfigError(subject, [{ field, value, expected: 'a finite number' }]);
  }
}

/** Throws `ArpoConfigError` naming `field` unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(subject: string, field: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new ArpoConfigError(subject, [{ field, value, expected: allowed.map((a) => `'${a}'`).join(' | ') }]);
  }
}

/**
 * The error for a NaN / infinite value in the data (never silently propagated): names the function, the
 * array and the index, e.g. `segmentEntropy: perPosition[3] = NaN (expected a finite number)`.
 */
export function nonFiniteError(where: string, what: string, index: number, value: unknown, expected = 'a finite number'): ArpoError {
  return new ArpoError(`${where}: ${what}[${index}] = ${String(value)} (expected ${expected})`);
}
