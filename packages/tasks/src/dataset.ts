import { basename } from 'node:path';
import { ArpoConfigError, toProblem, type FieldProblem } from '@arpo/core';
import { z } from 'zod';
import { jsonlLines, readJsonlLines, writeJsonl } from './jsonl.js';
import { ABILITIES, TaskMetaSchema, type TaskExample } from './schema.js';

/**
 * A row in the simple shape, the shape this package writes: `{ "question", "answers" }` plus optional `id`,
 * `ability` (default `qa`), `tools` (default `["search", "python"]`) and `meta`. `answers` may be one string.
 */
export const SimpleRowSchema = z.strictObject({
  id: z.string().min(1).optional(),
  question: z.string().min(1),
  answers: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)]),
  ability: z.enum(ABILITIES).default('qa'),
  tools: z.array(z.string().min(1)).default(['search', 'python']),
  meta: TaskMetaSchema.optional(),
});

/**
 * A row in the reference's shape (its parquet rows as JSON): `prompt` (chat messages; the question is the last
 * `user` message), `reward_model.ground_truth` (a string or a list), `ability` (`qa` or `math`) and
 * `data_source`. Other keys (`extra_info`, `reward_model.style`, …) are allowed and ignored.
 */
export const ReferenceRowSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).optional(),
  prompt: z
    .array(z.looseObject({ role: z.string(), content: z.string() }))
    .min(1)
    .refine((messages) => messages.some((m) => m.role === 'user' && m.content.trim() !== ''), 'a message list with a non-empty user message'),
  reward_model: z.looseObject({
    ground_truth: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  }),
  ability: z.enum(ABILITIES),
  data_source: z.string().min(1),
});

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Skip invalid rows and report them instead of throwing at the first one (the CLI's `--skip-invalid`). */
  skipInvalid?: boolean;
  /**
   * Split a QA gold written as a list, `"[a, b]"`, into its items (the reference evaluation does). Default true;
   * math golds are never split (`[0, 1]` is an interval).
   */
  splitListAnswers?: boolean;
}

/** What {@link loadDataset} read. */
export interface LoadedDataset {
  examples: TaskExample[];
  counts: { rows: number; loaded: number; skipped: number };
  /** One error per skipped row (empty unless `skipInvalid`). */
  errors: ArpoConfigError[];
}

/**
 * Loads a JSONL dataset of {@link TaskExample}s, user rows in the simple shape ({@link SimpleRowSchema}) or rows
 * in the reference's shape ({@link ReferenceRowSchema}); the shapes may be mixed. Blank lines are skipped.
 *
 * @throws ArpoConfigError for the first bad row (unless `skipInvalid`), naming `dataset line N of <file>`, the
 *   field, the value and what was expected, e.g.
 *   `Invalid dataset line 3 of qa.jsonl: answers = [] (expected a list with length >= 1)`.
 */
export function loadDataset(path: string, options: LoadDatasetOptions = {}): LoadedDataset {
  return parseDataset(readJsonlLines(path), basename(path), options);
}

/** {@link loadDataset} on JSONL text; `name` stands for the file in messages and default ids. */
export function parseDatasetText(text: string, name = 'dataset', options: LoadDatasetOptions = {}): LoadedDataset {
  return parseDataset(jsonlLines(text), name, options);
}

function parseDataset(lines: Array<{ line: number; text: string }>, name: string, options: LoadDatasetOptions): LoadedDataset {
  const examples: TaskExample[] = [];
  const errors: ArpoConfigError[] = [];
  const ids = new Map<string, number>();
  for (const { line, text } of lines) {
    const subject = `dataset line ${line} of ${name}`;
    try {
      const example = parseRow(text, subject, `${name.replace(/\.jsonl$/, '')}-${line}`, options);
      const first = ids.get(example.id);
      if (first !== undefined) {
        throw new ArpoConfigError(subject, [{ field: 'id', value: example.id, expected: `a unique id (already used by line ${first})` }]);
      }
      ids.set(example.id, line);
      examples.push(example);
    } catch (error) {
      if (!(error instanceof ArpoConfigError) || !options.skipInvalid) throw error;
      errors.push(error);
    }
  }
  return { examples, counts: { rows: lines.length, loaded: examples.length, skipped: errors.length }, errors };
}

function parseRow(text: string, subject: string, defaultId: string, options: LoadDatasetOptions): TaskExample {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ArpoConfigError(subject, [
      { field: '(root)', value: text.length > 80 ? `${text.slice(0, 77)}...` : text, expected: `a JSON object (${(error as Error).message})` },
    ]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArpoConfigError(subject, [{ field: '(root)', value, expected: 'a JSON object' }]);
  }
  const split = options.splitListAnswers ?? true;
  if ('prompt' in value) {
    const row = check(ReferenceRowSchema, value, subject);
    const question = row.prompt.filter((m) => m.role === 'user').at(-1)?.content.trim() ?? '';
    const truth = row.reward_model.ground_truth;
    const answers = typeof truth === 'string' ? (split && row.ability === 'qa' ? splitListAnswer(truth) : [truth]) : truth;
    const extra = (value as { extra_info?: { index?: unknown } }).extra_info;
    const id = row.id ?? (typeof extra?.index === 'number' || typeof extra?.index === 'string' ? `${row.data_source}-${extra.index}` : defaultId);
    return {
      id: String(id),
      question,
      answers,
      ability: row.ability,
      tools: ['search', 'python'],
      meta: { suite: row.data_source, type: 'user' },
    };
  }
  const row = check(SimpleRowSchema, value, subject);
  const answers = row.answers.length === 1 && split && row.ability === 'qa' ? splitListAnswer(row.answers[0]!) : row.answers;
  return { id: row.id ?? defaultId, question: row.question, answers, ability: row.ability, tools: row.tools, ...(row.meta ? { meta: row.meta } : {}) };
}

function check<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems: FieldProblem[] = result.error.issues.map((issue) => toProblem(issue, value));
  throw new ArpoConfigError(subject, problems);
}

/** `"[a, b]"` → `["a", "b"]`; any other string → itself. */
export function splitListAnswer(gold: string): string[] {
  const t = gold.trim();
  if (!(t.startsWith('[') && t.endsWith(']'))) return [gold];
  const items = t
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim().replace(/^['"]|['"]$/g, '').trim())
    .filter((s) => s !== '');
  return items.length > 0 ? items : [gold];
}

/** Writes examples as JSONL (one {@link TaskExample} per line), atomically. */
export function writeExamplesJsonl(path: string, examples: Iterable<TaskExample>): void {
  writeJsonl(path, examples);
}

/** Reads a JSONL file of {@link TaskExample}s (any shape {@link loadDataset} accepts); throws on the first bad row. */
export function readExamplesJsonl(path: string): TaskExample[] {
  return loadDataset(path).examples;
}
