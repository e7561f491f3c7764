import { z } from 'zod';

/** The reference's two abilities: `qa` (scored by token F1 / EM) and `math` (scored by math equivalence). */
export const ABILITIES = ['qa', 'math'] as const;
export type Ability = (typeof ABILITIES)[number];

/** The built-in suites. */
export const SUITES = ['knowledge', 'compute', 'mixed', 'deep-search'] as const;
export type SuiteName = (typeof SUITES)[number];
/** The suites {@link generateTasks} makes when none are named (`deep-search` adds decoy documents: ask for it). */
export const DEFAULT_SUITES: readonly SuiteName[] = ['knowledge', 'compute', 'mixed'];

/** Dataset splits. Validation and test use real entities never seen in training. */
export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Where an example came from; the scripted solver needs `suite` and `type`. */
export const TaskMetaSchema = z.strictObject({
  /** Suite name (`knowledge`, `compute`, `mixed`, or a user dataset's `data_source`). */
  suite: z.string().min(1),
  /** Question template, e.g. `capital`, `currency-by-capital`, `multiply` (`user` for loaded datasets). */
  type: z.string().min(1),
  split: z.enum(SPLITS).optional(),
  /** Tool calls the scripted solver makes (searches + Python runs). */
  hops: z.number().int().min(0).optional(),
  /** The question is about invented entities (training only). */
  synthetic: z.boolean().optional(),
});
export type TaskMeta = z.infer<typeof TaskMetaSchema>;

/** One task example: the row shape of every JSONL file this package reads and writes. */
export const TaskExampleSchema = z.strictObject({
  /** Unique id, e.g. `knowledge-test-00012`. */
  id: z.string().min(1),
  /** The question given to the model (the user message). */
  question: z.string().min(1),
  /** Gold answers; any one is correct (metrics take the max over golds). */
  answers: z.array(z.string().min(1)).min(1),
  ability: z.enum(ABILITIES),
  /** Tool tags the question needs, e.g. `["search"]`, `["python"]`, `["search", "python"]`. */
  tools: z.array(z.string().min(1)),
  meta: TaskMetaSchema.optional(),
});
export type TaskExample = z.infer<typeof TaskExampleSchema>;
