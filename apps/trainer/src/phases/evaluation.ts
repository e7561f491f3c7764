import type { Policy, ToolExecutor } from '@arpo/core';
import { isReplicablePolicy, ReplicaPool, type ReplicablePolicy, type TfjsTrainablePolicy } from '@arpo/optimizer';
import { createDisabledToolExecutor, evaluate, type TaskExample } from '@arpo/tasks';
import type { EvalRow, EvalStage } from '../run-files.js';
import type { RunContext } from '../run/run-context.js';
import { gradientLanes } from '../setup/workers.js';
import { wilsonInterval } from './wilson-interval.js';

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
  // Questions are spread over the cores, one replica worker each (greedy decoding gives the same answers). This thread
  // only coordinates: a generate call here would hold the event loop and leave the workers waiting for their replies.
  const trainable = policy as unknown as TfjsTrainablePolicy;
  const lanes = isReplicablePolicy(trainable) ? gradientLanes(config.workers, trainable) : 1;
  const pool = lanes > 1 ? await ReplicaPool.start({ policy: trainable as ReplicablePolicy, threads: lanes }) : undefined;
  const [evalPolicy = policy, ...lanePolicies] = pool ? Array.from({ length: pool.threads }, (_, i) => pool.lanePolicy(i + 1)) : [];
  try {
    for (const [suite, examples] of Object.entries(heldOut)) {
      for (const mode of modes) {
        const subset = examples.slice(0, mode.n);
        if (subset.length === 0) continue;
        const started = performance.now();
        const bar = reporter.phase(`eval`, subset.length, 'q');
        let correct = 0;
        const byId = new Map(subset.map((x) => [x.id, x]));
        const file = `${stage}-step${step}-${suite}-tools-${mode.tools}`;
        const result = await evaluate(evalPolicy, mode.executor, subset, {
          format: config.data.format,
          maxNewTokens: e.maxNewTokens,
          maxResponseTokens: config.arpo.rollout.maxResponseTokens,
          batchSize: e.batchSize,
          seed: config.seed,
          lanes: lanePolicies,
          onProgress: (p) => {
            if (p.row.correct) correct += 1;
            run.appendEvalQuestion(file, { type: byId.get(p.row.id)?.meta?.type ?? null, ...p.row });
            bar.tick(1, `${suite} tools ${mode.tools}  acc ${(correct / p.completed).toFixed(2)}`);
          },
        });
        const s = result.summary;
        const correctCount = result.rows.filter((r) => r.correct).length;
        const row: EvalRow = {
          type: 'eval',
          stage,
          step,
          split: config.eval.split,
          suite,
          tools: mode.tools,
          examples: s.examples,
          accuracy: s.passAt1,
          interval95: wilsonInterval(correctCount, s.examples),
          byType: accuracyByType(subset, result.rows),
          finishReasons: countBy(result.rows.map((r) => r.finishReason)),
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
  } finally {
    await pool?.dispose();
  }
  return rows;
}

/** Accuracy per `meta.type` and per `hops-<n>` of the evaluated examples (rows matched by id). */
export function accuracyByType(
  examples: readonly TaskExample[],
  rows: readonly { id: string; correct: boolean }[],
): Record<string, { examples: number; accuracy: number }> {
  const correct = new Map(rows.map((r) => [r.id, r.correct]));
  const groups = new Map<string, { examples: number; correct: number }>();
  const add = (key: string, ok: boolean): void => {
    const g = groups.get(key) ?? { examples: 0, correct: 0 };
    g.examples += 1;
    g.correct += ok ? 1 : 0;
    groups.set(key, g);
  };
  for (const e of examples) {
    if (!correct.has(e.id)) continue;
    const ok = correct.get(e.id) === true;
    if (e.meta?.type) add(e.meta.type, ok);
    if (e.meta?.hops !== undefined) add(`hops-${e.meta.hops}`, ok);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, g]) => [k, { examples: g.examples, accuracy: g.correct / g.examples }]));
}

function countBy(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
