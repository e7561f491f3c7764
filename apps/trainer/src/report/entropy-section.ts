import type { RunData } from './read-run.js';
import { attrs, dataNumber, escapeHtml } from './html.js';
import { formatNumber, formatPercent, formatSigned } from './format.js';
import { renderLineChart, type ChartSeries } from './line-chart.js';
import { runColor } from './run-identity.js';

/** Entropy statistics of one run over all its training steps (null where no step has the value). */
export interface EntropyStats {
  /** Mean over steps of the initial entropy H_initial. */
  initial: number | null;
  /** Mean over steps of the entropy of the first k tokens after a tool call. */
  afterTool: number | null;
  /** Mean over steps of ΔH after tool calls (paper Eq. 4). */
  deltaH: number | null;
  /** Steps with a ΔH value, and how many of them have ΔH > 0. */
  stepsWithDeltaH: number;
  stepsRising: number;
  /** Mean over steps of `entropyBySegment[i]`: [0] = initial, [i] = after the i-th tool result. */
  bySegment: Array<number | null>;
}

/** Computes {@link EntropyStats} from a run's training rows. */
export function entropyStats(run: RunData): EntropyStats {
  const deltas = run.train.map((r) => r.deltaHAfterTool).filter(isNum);
  const segments = Math.max(0, ...run.train.map((r) => r.entropyBySegment.length));
  return {
    initial: mean(run.train.map((r) => r.initialEntropy)),
    afterTool: mean(run.train.map((r) => r.entropyAfterTool)),
    deltaH: mean(deltas),
    stepsWithDeltaH: deltas.length,
    stepsRising: deltas.filter((d) => d > 0).length,
    bySegment: Array.from({ length: segments }, (_, i) => mean(run.train.map((r) => r.entropyBySegment[i] ?? null))),
  };
}

/**
 * The entropy section (the paper's observation that entropy rises in the first k tokens after a tool result):
 * mean entropy by segment index, initial vs after-tool entropy per step, ΔH per step, and a table of the means.
 */
export function renderEntropySection(runs: RunData[], labels: string[]): string {
  const stats = runs.map(entropyStats);
  const label = (i: number) => labels[i] ?? runs[i]?.name ?? `run ${i}`;
  const k = runs.map(entropyWindow).find((w) => w !== null) ?? null;
  const kText = k === null ? 'the first k tokens' : `the first k = ${k} tokens`;

  const bySegment: ChartSeries[] = stats.map((s, i) => ({
    id: `run-${i}`,
    run: i,
    label: label(i),
    color: runColor(i),
    points: s.bySegment.map((y, x) => ({ x, y })),
  }));
  const perStep: ChartSeries[] = runs.flatMap((run, i) => [
    { id: `run-${i}:initial`, run: i, label: `${label(i)} · initial`, color: runColor(i), dashed: true, points: run.train.map((r) => ({ x: r.step, y: r.initialEntropy })) },
    { id: `run-${i}:after-tool`, run: i, label: `${label(i)} · after tool calls`, color: runColor(i), points: run.train.map((r) => ({ x: r.step, y: r.entropyAfterTool })) },
  ]);
  const delta: ChartSeries[] = runs.map((run, i) => ({
    id: `run-${i}`,
    run: i,
    label: label(i),
    color: runColor(i),
    points: run.train.map((r) => ({ x: r.step, y: r.deltaHAfterTool })),
  }));

  const rows = stats
    .map(
      (s, i) =>
        `<tr${attrs({ 'data-testid': 'entropy-row', 'data-run': i })}>` +
        `<th scope="row"><span class="dot" style="background:${runColor(i)}"></span>${escapeHtml(label(i))}</th>` +
        cell('entropy-initial', s.initial, formatNumber(s.initial)) +
        cell('entropy-after-tool', s.afterTool, formatNumber(s.afterTool)) +
        cell('entropy-delta-h', s.deltaH, formatSigned(s.deltaH)) +
        cell(
          'entropy-rising',
          s.stepsWithDeltaH ? s.stepsRising / s.stepsWithDeltaH : null,
          s.stepsWithDeltaH ? `${s.stepsRising} / ${s.stepsWithDeltaH} (${formatPercent(s.stepsRising / s.stepsWithDeltaH)})` : '—',
        ) +
        '</tr>',
    )
    .join('');
  const table =
    '<table class="data" data-testid="entropy-table"><thead><tr><th>Run</th><th>mean H<sub>initial</sub></th>' +
    `<th>mean H after tool calls</th><th>mean ΔH</th><th>steps with ΔH &gt; 0</th></tr></thead><tbody>${rows}</tbody></table>`;

  return (
    `<p class="lead">ARPO’s observation: the token entropy of ${escapeHtml(kText)} generated right after a tool result ` +
    'tends to rise above the entropy at the start of the response (H<sub>initial</sub>); ARPO branches there. ' +
    'ΔH = H − H<sub>initial</sub>, averaged over each step’s trajectories.</p>' +
    table +
    '<div class="charts">' +
    renderLineChart({
      id: 'entropy-by-segment',
      title: 'Entropy by segment: initial vs after each tool call',
      note: `x = 0 is the initial segment; x = i is ${kText} after the i-th tool result. Mean over training steps.`,
      xLabel: 'segment (tool results so far)',
      yLabel: 'entropy',
      series: bySegment,
    }) +
    renderLineChart({
      id: 'entropy-per-step',
      title: 'Initial entropy (dashed) vs entropy after tool calls (solid)',
      xLabel: 'step',
      yLabel: 'entropy',
      series: perStep,
    }) +
    renderLineChart({
      id: 'delta-h',
      title: 'ΔH after tool calls per step',
      note: 'Above zero: the model is less certain after reading a tool result than at the start.',
      xLabel: 'step',
      yLabel: 'ΔH',
      series: delta,
      formatY: (y) => formatSigned(y),
      rules: [{ y: 0, label: 'ΔH = 0' }],
    }) +
    '</div>'
  );
}

/** `config.rollout.entropyWindow` (k) of a run's resolved config, when present. */
function entropyWindow(run: RunData): number | null {
  const config = run.config.config as { rollout?: { entropyWindow?: unknown } } | null | undefined;
  const k = config && typeof config === 'object' ? config.rollout?.entropyWindow : undefined;
  return typeof k === 'number' && Number.isFinite(k) ? k : null;
}

function cell(testid: string, value: number | null, text: string): string {
  return `<td${attrs({ 'data-testid': testid, 'data-value': dataNumber(value) })}>${escapeHtml(text)}</td>`;
}

function mean(values: Array<number | null | undefined>): number | null {
  const xs = values.filter(isNum);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
