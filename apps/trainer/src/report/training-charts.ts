import type { RunData } from './read-run.js';
import { formatCount, formatNumber, formatPercent } from './format.js';
import { renderLineChart, type ChartSeries } from './line-chart.js';
import { runColor } from './run-identity.js';

/**
 * The per-step charts of training: reward mean (± std band), accuracy, tool calls per step and cumulative,
 * ARPO branches, and the SFT loss when any run has SFT rows. Runs are overlaid, one colour each;
 * `labels[i]` names run i in the legends.
 */
export function renderTrainingCharts(runs: RunData[], labels: string[]): string {
  const series = (pick: (run: RunData) => Array<{ x: number; y: number | null }>): ChartSeries[] =>
    runs.map((run, i) => ({ id: `run-${i}`, run: i, label: labels[i] ?? run.name, color: runColor(i), points: pick(run) }));

  const reward = series((run) => run.train.map((r) => ({ x: r.step, y: r.rewardMean })));
  runs.forEach((run, i) => {
    const s = reward[i];
    if (s) s.band = run.train.map((r) => ({ x: r.step, low: r.rewardMean - r.rewardStd, high: r.rewardMean + r.rewardStd }));
  });

  const charts = [
    renderLineChart({
      id: 'reward',
      title: 'Reward per step',
      note: 'Mean reward of the step’s trajectories; the band is ± one standard deviation.',
      xLabel: 'step',
      yLabel: 'reward',
      series: reward,
    }),
    renderLineChart({
      id: 'accuracy',
      title: 'Training accuracy per step',
      note: 'Share of the step’s trajectories whose answer is correct.',
      xLabel: 'step',
      yLabel: 'accuracy',
      series: series((run) => run.train.map((r) => ({ x: r.step, y: r.accuracy }))),
      formatY: formatPercent,
      yMin: 0,
      yMax: 1,
    }),
    renderLineChart({
      id: 'tool-calls',
      title: 'Tool calls per step',
      note: 'Tool calls executed by the rollout (a shared prefix’s calls count once).',
      xLabel: 'step',
      yLabel: 'tool calls',
      series: series((run) => run.train.map((r) => ({ x: r.step, y: r.toolCallsTotal }))),
      formatY: formatCount,
      yMin: 0,
    }),
    renderLineChart({
      id: 'tool-calls-cumulative',
      title: 'Cumulative tool calls',
      note: 'The paper’s claim: ARPO reaches GRPO’s accuracy with about half the tool calls.',
      xLabel: 'step',
      yLabel: 'tool calls',
      series: series((run) => {
        let total = 0;
        return run.train.map((r) => ({ x: r.step, y: (total += r.toolCallsTotal) }));
      }),
      formatY: formatCount,
      yMin: 0,
    }),
  ];
  if (runs.some((run) => run.train.some((r) => r.branches > 0 || r.refills > 0))) {
    charts.push(
      renderLineChart({
        id: 'branches',
        title: 'ARPO branches per step',
        note: 'Partial rollouts branched after high-entropy tool steps (refills dashed).',
        xLabel: 'step',
        yLabel: 'trajectories',
        series: runs.flatMap((run, i) => [
          { id: `run-${i}:branches`, run: i, label: `${labels[i] ?? run.name} branches`, color: runColor(i), points: run.train.map((r) => ({ x: r.step, y: r.branches })) },
          { id: `run-${i}:refills`, run: i, label: `${labels[i] ?? run.name} refills`, color: runColor(i), dashed: true, points: run.train.map((r) => ({ x: r.step, y: r.refills })) },
        ]),
        formatY: formatCount,
        yMin: 0,
      }),
    );
  }
  if (runs.some((run) => run.sft.length > 0)) {
    charts.push(
      renderLineChart({
        id: 'sft-loss',
        title: 'Cold-start SFT loss',
        xLabel: 'SFT step',
        yLabel: 'loss',
        series: series((run) => run.sft.map((r) => ({ x: r.step, y: r.loss }))),
        formatY: (y) => formatNumber(y, 3),
      }),
    );
  }
  return charts.join('\n');
}
