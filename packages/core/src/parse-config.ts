import type { z } from 'zod';
import { ArpoConfigError, type FieldProblem } from './errors.js';

/**
 * Validates `input` against a zod schema and returns the parsed value with defaults filled in.
 * Throws {@link ArpoConfigError} naming each bad field, the value given and what was expected.
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ArpoConfigError(subject, result.error.issues.map((issue) => toProblem(issue, input)));
}

/** Converts a zod issue to a {@link FieldProblem}. */
export function toProblem(issue: z.core.$ZodIssue, root: unknown): FieldProblem {
  const path = issue.path.map(String);
  const field = path.length ? path.join('.') : '(root)';
  const value = 'input' in issue ? issue.input : valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return { field, value, expected: article(issue.expected) };
    case 'too_small':
      return { field, value, expected: bound(issue.origin, issue.inclusive ? '>=' : '>', issue.minimum) };
    case 'too_big':
      return { field, value, expected: bound(issue.origin, issue.inclusive ? '<=' : '<', issue.maximum) };
    case 'invalid_value':
      return { field, value, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'unrecognized_keys':
      return {
        field: issue.keys.map((k) => (path.length ? `${field}.${k}` : k)).join(', '),
        value: issue.keys.length === 1 ? valueAt(root, [...issue.path, issue.keys[0]!]) : issue.keys,
        expected: 'a known field (this key is not part of the schema; check the spelling)',
      };
    case 'not_multiple_of':
      return { field, value, expected: `a multiple of ${String(issue.divisor)}` };
    case 'invalid_format':
      // A schema's own message (`.regex(re, 'a tag name')`) says more than zod's generic one.
      return { field, value, expected: issue.message && !issue.message.startsWith('Invalid') ? issue.message : `a string in ${issue.format} format` };
    default:
      return { field, value, expected: issue.message };
  }
}

function bound(origin: string, op: string, limit: unknown): string {
  if (origin === 'array' || origin === 'set') return `a list with length ${op} ${String(limit)}`;
  if (origin === 'string') return `a string with length ${op} ${String(limit)}`;
  return `a number ${op} ${String(limit)}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
