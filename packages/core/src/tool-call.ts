import { z } from 'zod';

/** Outcome of one tool execution. */
export const ToolCallStatusSchema = z.enum(['ok', 'error', 'empty', 'timeout']);
export type ToolCallStatus = z.infer<typeof ToolCallStatusSchema>;

/** A tool call made inside a trajectory and what came back (spec §2.2 step 4). */
export const ToolCallRecordSchema = z.object({
  /** The tool's tag, e.g. `search` or `python`. */
  tool: z.string().min(1),
  /** The text between the tool's opening and closing tags, stripped. */
  input: z.string(),
  /** The result text given to the model (before `<result>` formatting). */
  output: z.string(),
  status: ToolCallStatusSchema,
  /** Wall-clock time of the execution, retries included, in milliseconds. */
  durationMs: z.number().min(0),
  /** Attempts made (1 = no retry). */
  attempts: z.number().int().min(1).default(1),
  /** Served from a cache. Still counts as a call, as in the reference. */
  cached: z.boolean().default(false),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecordSchema>;
