import { checkToolRecords, type ToolCallRecord, type ToolCallRequest, type ToolExecutor } from '@arpo/core';
import type { RolloutMetrics } from './rollout-metrics.js';

/**
 * Spec §2.2 step 4: a round's tool calls, executed concurrently; their time, counts by tool and failures added to
 * the metrics. Records come back in request order.
 */
export async function executeRoundCalls(
  tools: ToolExecutor,
  requests: readonly ToolCallRequest[],
  m: Pick<RolloutMetrics, 'toolMs' | 'toolCallsExecuted' | 'toolCallsFailed'>,
  now: () => number,
  signal?: AbortSignal,
): Promise<ToolCallRecord[]> {
  const started = now();
  const records = await tools.executeAll(requests, { signal });
  checkToolRecords(records, requests);
  m.toolMs += now() - started;
  for (const record of records) {
    m.toolCallsExecuted[record.tool] = (m.toolCallsExecuted[record.tool] ?? 0) + 1;
    if (record.status !== 'ok') m.toolCallsFailed += 1;
  }
  return records;
}
