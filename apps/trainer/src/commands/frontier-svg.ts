import type { CompareLine } from './compare-table.js';

const COLORS: Record<string, string> = { grpo: '#6b7280', arpo: '#2563eb', aepo: '#dc2626' };
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The accuracy/tool-call frontier of a comparison as a standalone SVG: one point per line (algorithm and swept
 * setting) at (mean training tool calls, mean accuracy after RL with tools) with ±1 sd over seeds on both axes; the
 * points of one algorithm are joined in order of tool calls, as papers plot a budget sweep.
 */
export function frontierSvg(lines: readonly CompareLine[], suite: string): string {
  const points = lines
    .filter((l) => l.accuracy[suite])
    .map((l) => ({ l, x: l.toolCalls.mean, sx: l.toolCalls.std, y: l.accuracy[suite]!.mean, sy: l.accuracy[suite]!.std }));
  const W = 640;
  const H = 400;
  const m = { left: 64, right: 24, top: 32, bottom: 52 };
  if (points.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="20" y="40">no runs of ${escape(suite)}</text></svg>\n`;
  const xs = points.flatMap((p) => [p.x - p.sx, p.x + p.sx]);
  const ys = points.flatMap((p) => [p.y - p.sy, p.y + p.sy]);
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.max(1e-9, Math.abs(hi)) || 1;
    return [lo - 0.08 * span, hi + 0.08 * span];
  };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.max(0, Math.min(...ys)), Math.min(1, Math.max(...ys)));
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number): number => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${escape(suite)}: accuracy after RL vs tool calls in training</text>`,
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="#111"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${H - m.bottom}" stroke="#111"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">tool calls during training (mean over seeds, ±1 sd)</text>`,
    `<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">accuracy after RL, tools on (±1 sd)</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const x = x0 + ((x1 - x0) * i) / 4;
    const y = y0 + ((y1 - y0) * i) / 4;
    out.push(`<text x="${px(x)}" y="${H - m.bottom + 16}" text-anchor="middle">${Math.round(x)}</text>`);
    out.push(`<text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end">${(100 * y).toFixed(0)}%</text>`);
  }
  for (const algorithm of [...new Set(points.map((p) => p.l.algorithm))]) {
    const own = points.filter((p) => p.l.algorithm === algorithm).sort((a, b) => a.x - b.x);
    const color = COLORS[algorithm] ?? '#059669';
    if (own.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${own.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}"/>`);
    for (const p of own) {
      out.push(`<line x1="${px(p.x - p.sx)}" y1="${py(p.y)}" x2="${px(p.x + p.sx)}" y2="${py(p.y)}" stroke="${color}"/>`);
      out.push(`<line x1="${px(p.x)}" y1="${py(p.y - p.sy)}" x2="${px(p.x)}" y2="${py(p.y + p.sy)}" stroke="${color}"/>`);
      out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="4" fill="${color}"/>`);
      out.push(`<text x="${px(p.x) + 6}" y="${py(p.y) - 6}" fill="${color}">${escape(p.l.label)}</text>`);
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
