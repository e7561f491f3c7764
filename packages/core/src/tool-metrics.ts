import type { ToolCallRecord } from './tool-call.js';

/** Running totals of one tool. */
export interface ToolStats {
  calls: number;
  successes: number;
  failures: number;
  timeouts: number;
  empty: number;
  cacheHits: number;
  /** Attempts beyond the first. */
  retries: number;
  totalMs: number;
  maxMs: number;
}

/** A snapshot, named like the reference's `tools/*` metrics. */
export interface ToolMetricsSnapshot {
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
  avgExecutionMs: number;
  maxExecutionMs: number;
  byTool: Record<string, ToolStats & { avgMs: number; successRate: number }>;
}

/** Accumulates per-tool counters from finished calls. A call is a success when its status is `ok`. */
export class ToolMetrics {
  private readonly stats = new Map<string, ToolStats>();

  record(call: ToolCallRecord): void {
    let s = this.stats.get(call.tool);
    if (!s) {
      s = { calls: 0, successes: 0, failures: 0, timeouts: 0, empty: 0, cacheHits: 0, retries: 0, totalMs: 0, maxMs: 0 };
      this.stats.set(call.tool, s);
    }
    s.calls += 1;
    if (call.status === 'ok') s.successes += 1;
    else s.failures += 1;
    if (call.status === 'timeout') s.timeouts += 1;
    if (call.status === 'empty') s.empty += 1;
    if (call.cached) s.cacheHits += 1;
    s.retries += call.attempts - 1;
    s.totalMs += call.durationMs;
    s.maxMs = Math.max(s.maxMs, call.durationMs);
  }

  snapshot(): ToolMetricsSnapshot {
    const byTool: ToolMetricsSnapshot['byTool'] = {};
    let totalCalls = 0;
    let successfulCalls = 0;
    let totalMs = 0;
    let maxMs = 0;
    for (const [tool, s] of this.stats) {
      byTool[tool] = { ...s, avgMs: s.calls ? s.totalMs / s.calls : 0, successRate: s.calls ? s.successes / s.calls : 0 };
      totalCalls += s.calls;
      successfulCalls += s.successes;
      totalMs += s.totalMs;
      maxMs = Math.max(maxMs, s.maxMs);
    }
    return {
      totalCalls,
      successfulCalls,
      failedCalls: totalCalls - successfulCalls,
      avgExecutionMs: totalCalls ? totalMs / totalCalls : 0,
      maxExecutionMs: maxMs,
      byTool,
    };
  }

  reset(): void {
    this.stats.clear();
  }
}
