import type { Policy, ToolExecutor } from '@arpo/core';
import { createDisabledToolExecutor, evaluate, type TaskExample } from '@arpo/tasks';
import type { EvalRow, EvalStage } from '../run-files.js';
import type { RunContext } from '../run/run-context.js';

/**
 * Greedy pass@1 on the held-out questions of every suite, with the tools and (when `eval.toolsOff`) with every
 * tool disabled; appends one `eval` row per suite and mode to the metrics.
 */
export async function runEvaluation(
  ctx: RunContext,
  policy: Policy,
  tools: ToolExecutor,
  heldOut: Readonly<Record<string, readonly TaskExample[]>>,
  stage: EvalStage,
  step: number,
): Promise<EvalRow[]> {
  const { config, run, reporter } = ctx;
  const e = config.eval;
  const rows: EvalRow[] = [];
  const modes: Array<{ tools: 'on' | 'off'; executor: ToolExecutor; n: number }> = [{ tools: 'on', executor: tools, n: e.examples }];
  if (e.toolsOff) modes.push({ tools: 'off', executor: createDisabledToolExecutor(tools.toolNames), n: e.toolsOffExamples });
  for (const [suite, examples] of Object.entries(heldOut)) {
    for (const mode of modes) {
      const subset = examples.slice(0, mode.n);
      if (subset.length === 0) continue;
      const started = performance.now();
      const bar = reporter.phase(`eval`, subset.length, 'q');
      let correct = 0;
      const result = await evaluate(policy, mode.executor, subset, {
        format: config.data.format,
        maxNewTokens: e.maxNewTokens,
        maxResponseTokens: config.arpo.rollout.maxResponseTokens,
        batchSize: e.batchSize,
        seed: config.seed,
        onProgress: (p) => {
          if (p.row.correct) correct += 1;
          bar.tick(1, `${suite} tools ${mode.tools}  acc ${(correct / p.completed).toFixed(2)}`);
        },
      });
      const s = result.summary;
      const row: EvalRow = {
        type: 'eval',
        stage,
        step,
        split: config.eval.split,
        suite,
        tools: mode.tools,
        examples: s.examples,
        accuracy: s.passAt1,
        f1: s.f1,
        formatErrorRate: s.formatErrorRate,
        toolCallsPerExample: Object.fromEntries(Object.entries(s.toolCallsPerQuestion).filter(([k]) => k !== 'total')),
        tokensPerExample: s.tokensPerAnswer,
        elapsedMs: performance.now() - started,
      };
      bar.finish(`${suite} tools ${mode.tools}: accuracy ${(100 * row.accuracy).toFixed(1)}% (${s.examples} questions)`);
      run.appendMetrics(row);
      reporter.record('eval', row);
      rows.push(row);
    }
  }
  return rows;
}
