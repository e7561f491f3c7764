import { attrs, dataNumber, escapeHtml } from './html.js';
import { formatNumber } from './format.js';

/** One point of a series; `y: null` leaves a gap in the line. */
export interface ChartPoint {
  x: number;
  y: number | null;
}

/** One line of a chart. */
export interface ChartSeries {
  /** Stable id, written to `data-series` on the line and every point (e.g. `run-0` or `run-0:initial`). */
  id: string;
  /** Index of the run the series belongs to (`data-run`). */
  run: number;
  /** Legend text. */
  label: string;
  /** CSS colour. */
  color: string;
  dashed?: boolean;
  points: ChartPoint[];
  /** Optional shaded band under the line, e.g. mean ± std. */
  band?: Array<{ x: number; low: number; high: number }>;
}

/** A horizontal reference line. */
export interface ChartRule {
  y: number;
  label: string;
  color?: string;
}

/** What {@link renderLineChart} draws. */
export interface LineChartSpec {
  /** Chart id: the figure gets `data-testid="chart-<id>"`. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** A sentence under the title saying how to read the chart. */
  note?: string;
  /** Tick and tooltip format of y values (default: 3 decimals). */
  formatY?: (y: number) => string;
  /** The y axis includes at least [yMin, yMax] when given (e.g. 0..1 for accuracy). */
  yMin?: number;
  yMax?: number;
  rules?: ChartRule[];
}

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { left: 60, right: 16, top: 14, bottom: 42 };

/**
 * Renders a line chart as an inline SVG inside a `<figure>`, with a legend whose buttons toggle series.
 * Every drawn point is a `<circle data-testid="chart-point" data-series data-run data-x data-y>` with a tooltip,
 * so the number of points equals the number of non-null values.
 */
export function renderLineChart(spec: LineChartSpec): string {
  const fmtY = spec.formatY ?? ((y: number) => formatNumber(y));
  const values = spec.series.flatMap((s) => s.points.filter((p): p is { x: number; y: number } => isNum(p.y)));
  const head =
    `<figure${attrs({ class: 'chart', 'data-testid': `chart-${spec.id}`, 'data-chart': spec.id })}>` +
    `<figcaption><strong>${escapeHtml(spec.title)}</strong>` +
    (spec.note ? `<span class="note">${escapeHtml(spec.note)}</span>` : '') +
    `</figcaption>`;
  if (values.length === 0) {
    return `${head}<p class="empty" data-testid="chart-empty">No data for this chart in ${spec.series.length === 0 ? 'these runs' : 'the selected runs'}.</p></figure>`;
  }

  const xs = values.map((p) => p.x);
  const ys = [
    ...values.map((p) => p.y),
    ...spec.series.flatMap((s) => (s.band ?? []).flatMap((b) => [b.low, b.high])),
    ...(spec.rules ?? []).map((r) => r.y),
    ...(spec.yMin !== undefined ? [spec.yMin] : []),
    ...(spec.yMax !== undefined ? [spec.yMax] : []),
  ].filter(isNum);
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), 6, xs.every(Number.isInteger));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5, false);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => round(MARGIN.left + ((x - x0) / (x1 - x0)) * plotW);
  const sy = (y: number) => round(MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH);

  let svg = `<svg${attrs({ viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': spec.title, class: 'plot' })}>`;
  svg += '<g class="grid">';
  for (const t of yTicks) {
    svg += `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${sy(t)}" y2="${sy(t)}"/>`;
    svg += `<text class="tick" x="${MARGIN.left - 6}" y="${sy(t) + 4}" text-anchor="end">${escapeHtml(fmtY(t))}</text>`;
  }
  for (const t of xTicks) {
    svg += `<line x1="${sx(t)}" x2="${sx(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`;
    svg += `<text class="tick" x="${sx(t)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${escapeHtml(String(round(t)))}</text>`;
  }
  svg += '</g>';
  svg += `<text class="axis-label" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`;
  svg += `<text class="axis-label" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`;
  for (const rule of spec.rules ?? []) {
    svg += `<line class="rule"${attrs({ x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(rule.y), y2: sy(rule.y), stroke: rule.color ?? null })}><title>${escapeHtml(`${rule.label}: ${fmtY(rule.y)}`)}</title></line>`;
  }
  const r = values.length > 400 ? 1.5 : 3;
  for (const s of spec.series) {
    if (!s.points.some((p) => isNum(p.y))) continue;
    svg += `<g${attrs({ class: 'series', 'data-series': s.id, 'data-run': s.run })}>`;
    if (s.band && s.band.length > 1) {
      const upper = s.band.map((b) => `${sx(b.x)},${sy(b.high)}`);
      const lower = [...s.band].reverse().map((b) => `${sx(b.x)},${sy(b.low)}`);
      svg += `<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${escapeHtml(s.color)}"/>`;
    }
    const d = linePath(s.points, sx, sy);
    if (d) svg += `<path${attrs({ d, stroke: s.color, class: s.dashed ? 'line dashed' : 'line' })}/>`;
    for (const p of s.points) {
      if (!isNum(p.y)) continue;
      svg +=
        `<circle${attrs({ 'data-testid': 'chart-point', 'data-series': s.id, 'data-run': s.run, 'data-x': dataNumber(p.x), 'data-y': dataNumber(p.y), cx: sx(p.x), cy: sy(p.y), r, fill: s.color })}>` +
        `<title>${escapeHtml(`${s.label} · ${spec.xLabel} ${p.x}: ${fmtY(p.y)}`)}</title></circle>`;
    }
    svg += '</g>';
  }
  svg += '</svg>';

  const legend = spec.series
    .filter((s) => s.points.some((p) => isNum(p.y)))
    .map(
      (s) =>
        `<button${attrs({ type: 'button', class: 'legend-item', 'data-toggle-series': s.id, 'data-testid': 'legend-item', title: 'show / hide' })}>` +
        `<span class="swatch${s.dashed ? ' dashed' : ''}" style="border-color:${escapeHtml(s.color)}"></span>${escapeHtml(s.label)}</button>`,
    )
    .join('');
  return `${head}${svg}<div class="legend">${legend}</div></figure>`;
}

/** The SVG path of a polyline through the non-null points; nulls split it. */
function linePath(points: ChartPoint[], sx: (x: number) => number, sy: (y: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!isNum(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(p.x)} ${sy(p.y)}`;
    pen = true;
  }
  return d;
}

/**
 * Evenly spaced "nice" tick values (1, 2, 5 × 10^k apart) covering [min, max]; the first and last ticks are the
 * axis bounds. A zero-width range is widened so the axis never divides by zero.
 */
export function niceTicks(min: number, max: number, target: number, integers: boolean): number[] {
  let lo = min;
  let hi = max;
  if (hi - lo < 1e-12) {
    const pad = integers ? 1 : Math.max(Math.abs(lo) * 0.1, 0.1);
    lo -= pad;
    hi += pad;
  }
  let step = niceStep((hi - lo) / Math.max(1, target));
  if (integers) step = Math.max(1, Math.round(step));
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = start; t <= end + step * 1e-6; t += step) ticks.push(round(t, 10));
  return ticks.length >= 2 ? ticks : [start, start + step];
}

function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = raw / 10 ** exp;
  const nice = base <= 1 ? 1 : base <= 2 ? 2 : base <= 5 ? 5 : 10;
  return nice * 10 ** exp;
}

function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
