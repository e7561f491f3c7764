import { normalizeMathAnswer } from './normalize-math-answer.js';
import { numericValue } from './numeric-value.js';

/** Options of {@link mathEqual}. */
export interface MathEqualOptions {
  /** Relative tolerance of the numeric comparison. Default 1e-6. */
  relTol?: number;
  /** Also accept b/100 and b·100 (so `50\%` equals `0.5`). Default false: `\%` is just dropped (`50\%` = `50`). */
  percentage?: boolean;
}

/**
 * Math-answer equivalence for EVALUATION (spec §7.4 `math_equal` = `is_equiv`; training uses token F1 only).
 * True when the two answers are equal after {@link normalizeMathAnswer} (Hendrycks-MATH string normaliser), or
 * when both evaluate ({@link numericValue}: numbers, fractions, `\sqrt`, `\pi`, thousands separators) to values
 * within `relTol` (|a − b| ≤ relTol·max(|a|, |b|), or ≤ 1e-12 near zero). Two plain integers (digits,
 * optional sign, `,` / `{,}` / space thousands separators) must be exactly equal: a relative tolerance would accept
 * `442402489` for `442402488`.
 */
export function mathEqual(a: string, b: string, options: MathEqualOptions = {}): boolean {
  const left = normalizeMathAnswer(a);
  const right = normalizeMathAnswer(b);
  if (left === right) return true;
  const intLeft = plainInteger(left);
  const intRight = plainInteger(right);
  if (intLeft !== null && intRight !== null && !options.percentage) return intLeft === intRight;
  const x = numericValue(left);
  const y = numericValue(right);
  if (x === null || y === null) return false;
  const relTol = options.relTol ?? 1e-6;
  const candidates = options.percentage ? [y, y / 100, y * 100] : [y];
  return candidates.some((c) => Math.abs(x - c) <= Math.max(relTol * Math.max(Math.abs(x), Math.abs(c)), 1e-12));
}

/** The integer a string spells exactly (sign, digits, `,` or LaTeX `{,}` thousands separators), as a BigInt; else null. */
function plainInteger(text: string): bigint | null {
  const t = text.replace(/\{,\}/g, '').replace(/,(?=\d{3}(\D|$))/g, '');
  return /^[+-]?\d+$/.test(t) ? BigInt(t) : null;
}
