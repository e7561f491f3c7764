import type { ToolCallRecord, ToolCallStatus } from './tool-call.js';

/** What a tool returns for one call. */
export interface ToolResult {
  /** The text the model will see inside `<result>…</result>`. */
  text: string;
  /**
   * `ok`; `empty` (no output: the reference retries, then says `Tool(<tag>) returned empty output.`);
   * `error` (the text explains, e.g. a Python traceback); `timeout`.
   */
  status: ToolCallStatus;
  /** Served from a cache. */
  cached?: boolean;
  /**
   * Whether an executor may retry the call (a transient failure such as a network error). When unset:
   * retried for `empty`, not for `error` or `timeout` (a traceback is a valid answer to the model).
   */
  retryable?: boolean;
}

/** Context of one tool call. */
export interface ToolCallContext {
  /** Aborts the call (timeouts, shutdown). */
  signal?: AbortSignal;
  /** The trajectory making the call, for logs and per-trajectory state. */
  trajectoryId?: string;
}

/**
 * A tool the model calls with `<name>input</name>` (the `Tool` contract, version 1). Implemented by
 * `@arpo/tools` (search, Python) and by users' own tools.
 */
export interface Tool {
  /** Contract version; bumped on breaking changes. */
  readonly specificationVersion: 'v1';
  /** The tag, e.g. `search`: the model writes `<search>…</search>` and `</search>` is a stop string. */
  readonly name: string;
  /** One line for prompts and docs. */
  readonly description?: string;
  /** Executes one call. Should not throw for bad input: return `status: 'error'` with a message instead. */
  execute(input: string, context?: ToolCallContext): Promise<ToolResult>;
}

/** One queued call of a rollout round. */
export interface ToolCallRequest {
  /** Tool tag. */
  tool: string;
  /** Body text between the tags. */
  input: string;
  trajectoryId?: string;
}

/**
 * Runs a round's tool calls concurrently with retries and timeouts, and formats results (the rollout engine
 * sees tools only through this). `@arpo/tools` provides the default implementation.
 */
export interface ToolExecutor {
  /** Tags of the registered tools; their closing tags are the policy's stop strings. */
  readonly toolNames: readonly string[];
  /** Executes all calls, results aligned with `calls`. Never rejects for a failing tool. */
  executeAll(calls: readonly ToolCallRequest[], options?: { signal?: AbortSignal }): Promise<ToolCallRecord[]>;
}
