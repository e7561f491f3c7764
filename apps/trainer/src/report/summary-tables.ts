import type { EvalRow, EvalStage, ToolCounts } from '../run-files.js';
import type { RunData } from './read-run.js';
import { attrs, dataNumber, escapeHtml } from './html.js';
import { formatCount, formatDuration, formatNumber, formatPercent, formatPointsDelta, MISSING } from './format.js';
import { runAlgorithm, runColor } from './run-identity.js';

/** Evaluation stages in the order they happen in a run, with their column headings. */
export const STAGE_ORDER: ReadonlyArray<readonly [EvalStage, string]> = [
  ['initial', 'initial'],
  ['after-sft', 'after SFT'],
  ['before-rl', 'before RL'],
  ['after-rl', 'after RL'],
  ['final', 'final'],
  ['standalone', 'evaluation'],
];

/** The training totals of a run shown in the summary table. */
export interface RunTotals {
  /** Distinct RL training steps in metrics.jsonl. */
  rlSteps: number;
  sftSteps: number;
  /** Tool calls executed during RL training: summary.json when present, else the sum over training rows. */
  toolCalls: number;
  toolCallsByTool: ToolCounts;
  /** Tokens generated during RL training: summary.json when present, else the sum over training rows. */
  tokens: number;
  /** Wall time: summary.json's, else an estimate from the metrics' elapsed times. */
  wallMs: number | null;
  wallEstimated: boolean;
}

/** Computes a run's {@link RunTotals}. */
export function runTotals(run: RunData): RunTotals {
  const byTool: ToolCounts = {};
  for (const row of run.train) for (const [tool, n] of Object.entries(row.toolCalls)) byTool[tool] = (byTool[tool] ?? 0) + n;
  const summary = run.summary;
  const maxElapsed = (rows: Array<{ elapsedMs: number }>) => rows.reduce((m, r) => Math.max(m, r.elapsedMs), 0);
  const estimate = maxElapsed(run.sft) + maxElapsed(run.train) + run.evals.reduce((s, r) => s + r.elapsedMs, 0);
  return {
    rlSteps: run.train.length,
    sftSteps: run.sft.length,
    toolCalls: summary ? sum(Object.values(summary.trainToolCalls)) : sum(run.train.map((r) => r.toolCallsTotal)),
    toolCallsByTool: summary ? summary.trainToolCalls : byTool,
    tokens: summary ? summary.trainTokens : sum(run.train.map((r) => r.tokensGenerated)),
    wallMs: summary ? summary.wallMs : run.rows.length ? estimate : null,
    wallEstimated: !summary,
  };
}

/** The evaluations of a run: the last row per (stage, split, suite, tools) of metrics.jsonl, else summary.json's. */
export function latestEvaluations(run: RunData): EvalRow[] {
  const source = run.evals.length ? run.evals : (run.summary?.evaluations ?? []);
  const latest = new Map<string, EvalRow>();
  for (const row of source) latest.set(JSON.stringify([row.stage, row.split, row.suite, row.tools]), row);
  return [...latest.values()];
}

/** The table of runs: algorithm, kind, status, steps, tool calls and tokens during training, wall time. */
export function renderRunsTable(runs: RunData[], labels: string[]): string {
  const body = runs
    .map((run, i) => {
      const t = runTotals(run);
      const algorithm = runAlgorithm(run);
      const byTool = Object.entries(t.toolCallsByTool)
        .map(([tool, n]) => `${tool}: ${formatCount(n)}`)
        .join(', ');
      return (
        `<tr${attrs({ 'data-testid': 'summary-row', 'data-run': i, 'data-run-name': run.name })}>` +
        `<th scope="row"><span class="dot" style="background:${runColor(i)}"></span>${escapeHtml(labels[i] ?? run.name)}</th>` +
        td('summary-algorithm', algorithm ?? '', algorithm ? algorithm.toUpperCase() : MISSING) +
        td('summary-kind', run.config.kind, run.config.kind) +
        td('summary-status', run.summary?.status ?? 'running', run.summary?.status ?? 'in progress (no summary.json)') +
        td('summary-rl-steps', t.rlSteps, formatCount(t.rlSteps)) +
        td('summary-sft-steps', t.sftSteps, formatCount(t.sftSteps)) +
        td('summary-tool-calls', t.toolCalls, formatCount(t.toolCalls), byTool || null) +
        td('summary-tokens', t.tokens, formatCount(t.tokens)) +
        td(
          'summary-wall',
          dataNumber(t.wallMs),
          `${t.wallEstimated && t.wallMs !== null ? '≈ ' : ''}${formatDuration(t.wallMs)}`,
          t.wallEstimated ? 'estimated from metrics.jsonl (no summary.json yet)' : null,
        ) +
        td('summary-groups', run.groups.length, formatCount(run.groups.length)) +
        '</tr>'
      );
    })
    .join('');
  return (
    '<table class="data" data-testid="runs-table"><thead><tr><th>Run</th><th>Algorithm</th><th>Kind</th><th>Status</th>' +
    '<th>RL steps</th><th>SFT steps</th><th>Tool calls (RL training)</th><th>Tokens generated (RL)</th><th>Wall time</th>' +
    `<th>Sampled groups</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

/**
 * The evaluation table: pass@1 accuracy per run, split, suite and tools on/off (rows) at each evaluation stage
 * (columns), and the RL stage's change (after RL − before RL) with a 95% interval (normal approximation of two
 * independent proportions) so small test sets are not over-read.
 */
export function renderEvaluationTable(runs: RunData[], labels: string[]): string {
  const evals = runs.map(latestEvaluations);
  const stages = STAGE_ORDER.filter(([stage]) => evals.some((rows) => rows.some((r) => r.stage === stage)));
  if (stages.length === 0) return '<p class="empty" data-testid="no-evaluations">No evaluations recorded in these runs.</p>';
  const showDelta = evals.some((rows) => rows.some((r) => r.stage === 'before-rl') && rows.some((r) => r.stage === 'after-rl'));

  let body = '';
  evals.forEach((rows, i) => {
    const keys = new Map<string, { split: string; suite: string; tools: 'on' | 'off' }>();
    for (const r of rows) keys.set(JSON.stringify([r.split, r.suite, r.tools]), { split: r.split, suite: r.suite, tools: r.tools });
    const sorted = [...keys.values()].sort(
      (a, b) => cmp(a.split, b.split) || cmp(a.suite, b.suite) || cmp(b.tools, a.tools), // tools on first
    );
    for (const key of sorted) {
      const at = (stage: EvalStage) =>
        rows.find((r) => r.stage === stage && r.split === key.split && r.suite === key.suite && r.tools === key.tools);
      const keyAttrs = { 'data-run': i, 'data-split': key.split, 'data-suite': key.suite, 'data-tools': key.tools };
      body +=
        `<tr${attrs({ 'data-testid': 'eval-row', ...keyAttrs })}>` +
        `<th scope="row"><span class="dot" style="background:${runColor(i)}"></span>${escapeHtml(labels[i] ?? runs[i]?.name ?? '')}</th>` +
        `<td>${escapeHtml(key.suite)}</td><td>${escapeHtml(key.split)}</td>` +
        `<td class="${key.tools === 'on' ? 'tools-on' : 'tools-off'}">${key.tools === 'on' ? 'on' : 'off'}</td>`;
      for (const [stage] of stages) {
        const row = at(stage);
        body += row
          ? `<td${attrs({ 'data-testid': 'eval-accuracy', ...keyAttrs, 'data-stage': stage, 'data-value': dataNumber(row.accuracy), 'data-examples': row.examples, title: evalTitle(row) })}>` +
            `<span class="v">${escapeHtml(formatPercent(row.accuracy))}</span><span class="n">n=${escapeHtml(formatCount(row.examples))}</span>` +
            (row.interval95
              ? `<span${attrs({ class: 'n', 'data-testid': 'eval-interval', 'data-low': dataNumber(row.interval95[0]), 'data-high': dataNumber(row.interval95[1]) })}>95%: ${escapeHtml(formatPercent(row.interval95[0]))}–${escapeHtml(formatPercent(row.interval95[1]))}</span>`
              : '') +
            (row.finishReasons?.['length']
              ? `<span${attrs({ class: 'n', 'data-testid': 'eval-length', 'data-value': row.finishReasons['length'] })}>${escapeHtml(formatCount(row.finishReasons['length']))} at the length limit</span>`
              : '') +
            '</td>'
          : `<td class="missing">${MISSING}</td>`;
      }
      if (showDelta) {
        const before = at('before-rl');
        const after = at('after-rl');
        if (before && after) {
          const delta = after.accuracy - before.accuracy;
          const half = 1.96 * Math.sqrt(variance(before) + variance(after));
          const significant = Math.abs(delta) > half;
          body +=
            `<td${attrs({ 'data-testid': 'eval-delta', ...keyAttrs, 'data-value': dataNumber(delta), class: significant ? (delta > 0 ? 'up' : 'down') : 'flat', title: significant ? 'outside the 95% interval of no change' : 'within the 95% interval of no change: not a clear difference' })}>` +
            `<span class="v">${escapeHtml(formatPointsDelta(delta))}</span><span class="n">± ${escapeHtml((half * 100).toFixed(1))}</span></td>`;
        } else {
          body += `<td class="missing">${MISSING}</td>`;
        }
      }
      body += '</tr>';
    }
  });
  const heads = stages.map(([stage, title]) => `<th data-stage="${stage}">${escapeHtml(title)}</th>`).join('');
  return (
    '<table class="data" data-testid="eval-table"><thead><tr><th>Run</th><th>Suite</th><th>Split</th><th>Tools</th>' +
    `${heads}${showDelta ? '<th>RL change (after − before)</th>' : ''}</tr></thead><tbody>${body}</tbody></table>`
  );
}

function evalTitle(row: EvalRow): string {
  const calls = Object.entries(row.toolCallsPerExample);
  const perTool = calls.map(([tool, n]) => `${tool} ${formatNumber(n, 2)}`).join(', ');
  return [
    `pass@1 ${formatPercent(row.accuracy)} of ${row.examples} examples (weights of step ${row.step})`,
    ...(row.interval95 ? [`Wilson 95% interval ${formatPercent(row.interval95[0])}–${formatPercent(row.interval95[1])}`] : []),
    ...(row.byType ? [Object.entries(row.byType).map(([k, v]) => `${k} ${formatPercent(v.accuracy)} (n=${v.examples})`).join(', ')] : []),
    ...(row.finishReasons?.['length'] ? [`${row.finishReasons['length']} ended at the length limit`] : []),
    `F1 ${formatNumber(row.f1)}`,
    `format errors ${formatPercent(row.formatErrorRate)}`,
    `tool calls/example ${formatNumber(sum(calls.map(([, n]) => n)), 2)}${perTool ? ` (${perTool})` : ''}`,
    `tokens/example ${formatNumber(row.tokensPerExample, 1)}`,
  ].join(' · ');
}

function td(testid: string, value: string | number, text: string, title: string | null = null): string {
  return `<td${attrs({ 'data-testid': testid, 'data-value': value, title })}>${escapeHtml(text)}</td>`;
}

/** Binomial variance of an accuracy estimate, p(1 − p)/n. */
function variance(row: EvalRow): number {
  return row.examples > 0 ? (row.accuracy * (1 - row.accuracy)) / row.examples : 0;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
