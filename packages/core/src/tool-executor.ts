import { parseConfig } from './parse-config.js';
import { emptyOutputText, executionFailedText, truncateToolOutput } from './result-format.js';
import type { ToolCallRecord } from './tool-call.js';
import type { Tool, ToolCallRequest, ToolExecutor, ToolResult } from './tool.js';
import { z } from 'zod';
import { ToolMetrics, type ToolMetricsSnapshot } from './tool-metrics.js';
import { ToolRegistry } from './tool-registry.js';
import { Semaphore } from './semaphore.js';

/** How tool calls of a rollout round are executed. Defaults: the reference (`max_workers` 64, 120 s, 3 retries). */
export const ToolExecutorConfigSchema = z.strictObject({
  /** Calls in flight at once. Reference `max_workers` 64. */
  concurrency: z.number().int().min(1).default(64),
  /** Per-attempt wall-clock limit in milliseconds. Reference 120 s. */
  timeoutMs: z.number().int().min(1).default(120_000),
  /** Re-executions after a thrown error or an empty output. Reference `retry_count` 3. */
  retries: z.number().int().min(0).default(3),
  /** Result text longer than this is cut (a program printing 1 MB must not flood the context). */
  maxOutputChars: z.number().int().min(1).default(10_000),
});
export type ToolExecutorConfig = z.output<typeof ToolExecutorConfigSchema>;
export type ToolExecutorConfigInput = z.input<typeof ToolExecutorConfigSchema>;

export interface ToolExecutorOptions extends ToolExecutorConfigInput {
  /** Monotonic clock in milliseconds (tests pass their own). */
  now?: () => number;
}

/** The default {@link ToolExecutor}: concurrency limit, timeouts, retries, the reference's failure texts, metrics. */
export class DefaultToolExecutor implements ToolExecutor {
  readonly registry: ToolRegistry;
  readonly config: ToolExecutorConfig;
  private readonly semaphore: Semaphore;
  private readonly stats = new ToolMetrics();
  private readonly now: () => number;

  constructor(tools: ToolRegistry | Iterable<Tool>, options: ToolExecutorOptions = {}) {
    const { now, ...config } = options;
    this.config = parseConfig(ToolExecutorConfigSchema, config, 'tool executor config');
    this.registry = tools instanceof ToolRegistry ? tools : new ToolRegistry(tools);
    this.semaphore = new Semaphore(this.config.concurrency);
    this.now = now ?? (() => performance.now());
  }

  get toolNames(): readonly string[] {
    return this.registry.names;
  }

  /** `</tag>` of every registered tool: the policy's stop strings. */
  stopStrings(): string[] {
    return this.registry.stopStrings();
  }

  /** Executes every call concurrently (bounded); results aligned with `calls`; never rejects for a failing tool. */
  executeAll(calls: readonly ToolCallRequest[], options: { signal?: AbortSignal } = {}): Promise<ToolCallRecord[]> {
    return Promise.all(calls.map((call) => this.semaphore.run(() => this.executeOne(call, options.signal))));
  }

  /** Executes one call with retries and the per-attempt timeout. */
  async executeOne(call: ToolCallRequest, signal?: AbortSignal): Promise<ToolCallRecord> {
    const started = this.now();
    const tool = this.registry.get(call.tool);
    let attempts = 0;
    let final: ToolResult;
    if (!tool) {
      final = { status: 'error', text: `Error: Tool(${call.tool}) is not registered (known: ${this.toolNames.join(', ') || 'none'}).` };
    } else {
      for (;;) {
        attempts += 1;
        const outcome = await this.attempt(tool, call, signal);
        const canRetry = attempts <= this.config.retries && !signal?.aborted;
        if (outcome.kind === 'threw') {
          final = { status: 'error', text: executionFailedText(tool.name, outcome.message) };
          if (canRetry) continue;
          break;
        }
        if (outcome.kind === 'timeout') {
          final = { status: 'timeout', text: executionFailedText(tool.name, `timed out after ${this.config.timeoutMs / 1000} s`) };
          break; // a deterministic program would time out again
        }
        const result = outcome.result;
        const empty = result.status === 'empty' || (result.status === 'ok' && result.text.trim() === '');
        if (empty) {
          final = { status: 'empty', text: emptyOutputText(tool.name), cached: result.cached };
          if (canRetry && result.retryable !== false) continue;
          break;
        }
        final = result;
        if (result.status === 'error' && result.retryable === true && canRetry) continue;
        break;
      }
    }
    const { text } = truncateToolOutput(final.text, this.config.maxOutputChars);
    const record: ToolCallRecord = {
      tool: call.tool,
      input: call.input,
      output: text,
      status: final.status,
      durationMs: Math.max(0, this.now() - started),
      attempts: Math.max(1, attempts),
      cached: final.cached ?? false,
    };
    this.stats.record(record);
    return record;
  }

  /** Counters since construction or the last {@link resetMetrics}. */
  metrics(): ToolMetricsSnapshot {
    return this.stats.snapshot();
  }

  resetMetrics(): void {
    this.stats.reset();
  }

  private attempt(
    tool: Tool,
    call: ToolCallRequest,
    outer: AbortSignal | undefined,
  ): Promise<{ kind: 'result'; result: ToolResult } | { kind: 'threw'; message: string } | { kind: 'timeout' }> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        controller.abort(new Error('tool call timed out'));
        resolve({ kind: 'timeout' });
      }, this.config.timeoutMs);
      let running: Promise<ToolResult>;
      try {
        running = Promise.resolve(tool.execute(call.input, { signal: controller.signal, trajectoryId: call.trajectoryId }));
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        (result) => resolve(validResult(result) ?? { kind: 'threw', message: `returned ${describe(result)} instead of { text, status }` }),
        (error: unknown) => resolve({ kind: 'threw', message: error instanceof Error ? error.message : String(error) }),
      ).finally(() => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onOuterAbort);
      });
    });
  }
}

function validResult(result: unknown): { kind: 'result'; result: ToolResult } | null {
  if (result === null || typeof result !== 'object') return null;
  const r = result as Partial<ToolResult>;
  if (typeof r.text !== 'string' || !['ok', 'error', 'empty', 'timeout'].includes(r.status as string)) return null;
  return { kind: 'result', result: r as ToolResult };
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Creates the default executor over some tools. */
export function createToolExecutor(tools: ToolRegistry | Iterable<Tool>, options: ToolExecutorOptions = {}): DefaultToolExecutor {
  return new DefaultToolExecutor(tools, options);
}
