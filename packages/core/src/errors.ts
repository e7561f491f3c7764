/** Base class of every error thrown by arpo packages. */
export class ArpoError extends Error {
  override name = 'ArpoError';
}

/** One invalid field of a config or data record. */
export interface FieldProblem {
  /** Dotted path of the field, e.g. `rollout.initialRollouts`; `(root)` for the whole object. */
  field: string;
  /** The value that was given (undefined when the field was missing). */
  value: unknown;
  /** What was expected, in words, e.g. `an integer >= 1`. */
  expected: string;
}

/**
 * A config or data record failed validation. The message names every bad field, the value given and
 * what was expected, e.g. `Invalid rollout config: rollouts = 0 (expected a number >= 1)`.
 */
export class ArpoConfigError extends ArpoError {
  override name = 'ArpoConfigError';
  /** The first problem (most errors have exactly one). */
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;

  constructor(
    /** What was being validated, e.g. `rollout config` or `dataset line 17`. */
    readonly subject: string,
    /** Every problem found, at least one. */
    readonly problems: readonly FieldProblem[],
  ) {
    super(`Invalid ${subject}: ${problems.map(describeProblem).join('; ')}`);
    const first = problems[0] ?? { field: '(root)', value: undefined, expected: 'a valid value' };
    this.field = first.field;
    this.value = first.value;
    this.expected = first.expected;
  }
}

/** Renders a value for an error message: short, JSON-like, never throws. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return '[function]';
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return String(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

function describeProblem(p: FieldProblem): string {
  return `${p.field} = ${formatValue(p.value)} (expected ${p.expected})`;
}
