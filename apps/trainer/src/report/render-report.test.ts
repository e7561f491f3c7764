import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, renderReport, writeReport, type RunData } from './index.js';
import { formatCount, formatDuration, formatPercent, formatPointsDelta, formatSigned } from './format.js';
import { escapeHtml } from './html.js';
import { niceTicks } from './line-chart.js';
import { REPORT_JS } from './report-assets.js';
import { extractToolCall, layoutTree } from './rollout-tree.js';
import { INJECTED_SCRIPT, branchedGroup, writeFixtureRuns, type FixtureRuns } from './test-fixtures.js';

let root: string;
let fx: FixtureRuns;
let runs: RunData[];
let html: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arpo-render-'));
  fx = await writeFixtureRuns(root);
  runs = [await readRun(fx.arpoDir), await readRun(fx.grpoDir)];
  html = renderReport(runs, { generatedAt: null });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('renderReport: a self-contained page', () => {
  it('loads nothing from outside: no external URLs, links, imports or fonts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\b(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:|\/\/|file:)/i);
    expect(html).not.toMatch(/@import|url\(|@font-face/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/i);
  });

  it('allows only its own script through the Content-Security-Policy', () => {
    const hash = createHash('sha256').update(REPORT_JS).digest('base64');
    expect(html).toContain(`script-src &#39;sha256-${hash}&#39;`);
    expect(html).toContain('default-src &#39;none&#39;');
    expect(html.match(/<script\b/gi)).toHaveLength(1);
    expect(html).toContain(`<script>${REPORT_JS}</script>`);
  });

  it('escapes model output: an injected <script> is text', () => {
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(INJECTED_SCRIPT));
    expect(escapeHtml('</script><a href="x">\u0000')).toBe('&lt;/script&gt;&lt;a href=&quot;x&quot;&gt;\uFFFD');
  });

  it('escapes run names and titles', () => {
    const evil = { ...runs[0]!, name: '<b onmouseover=alert(1)>x</b>' };
    const page = renderReport([evil], { title: '</title><script>alert(1)</script>', generatedAt: null });
    expect(page).not.toContain('<b onmouseover');
    expect(page).not.toContain('</title><script>');
    expect(page.match(/<script\b/gi)).toHaveLength(1);
  });

  it('is deterministic without a timestamp and shows one by default', () => {
    expect(renderReport(runs, { generatedAt: null })).toBe(html);
    expect(renderReport(runs, { generatedAt: new Date('2025-03-04T05:06:07Z') })).toContain('generated 2025-03-04T05:06:07.000Z');
  });

  it('contains the summary numbers', () => {
    expect(html).toContain('data-testid="eval-accuracy"');
    expect(html).toContain(`<span class="v">${formatPercent(0.625)}</span>`);
    expect(formatPercent(0.625)).toBe('62.5%');
    expect(html).toContain(formatPointsDelta(0.625 - 0.5));
    expect(html).toContain('>34<'); // tool calls from summary.json
    expect(html).toContain(formatDuration(754_000));
    expect(formatDuration(754_000)).toBe('12 m 34 s');
    // The GRPO run has no summary.json: its wall time is an estimate.
    expect(html).toContain('≈ ');
  });

  it('shows how many questions of an evaluation ended at the length limit (the context or the token budget)', () => {
    expect(html).not.toContain('data-testid="eval-length"');
    const withLength = { ...runs[0]!, evals: runs[0]!.evals.map((r) => ({ ...r, finishReasons: { answer: r.examples - 3, length: 3 } })) };
    const page = renderReport([withLength], { generatedAt: null });
    const cells = page.match(/<span class="n" data-testid="eval-length" data-value="3">3 at the length limit<\/span>/g) ?? [];
    expect(cells).toHaveLength(runs[0]!.evals.length);
  });

  it('renders one chart point per step and run', () => {
    const points = html.match(/<circle data-testid="chart-point" data-series="run-0" data-run="0" data-x="\d+" data-y="[^"]*"[^>]*>/g) ?? [];
    // reward, accuracy, tool calls, cumulative: 4 steps each; sft loss: 3; entropy-by-segment: 3 segments; ΔH: 3 non-null
    expect(points.length).toBe(4 * 4 + 3 + 3 + 3);
  });

  it('says so when there is nothing to show', async () => {
    const empty = renderReport([{ ...runs[1]!, train: [], evals: [], groups: [], rows: [] }], { generatedAt: null });
    expect(empty).toContain('data-testid="no-evaluations"');
    expect(empty).toContain('data-testid="no-groups"');
    expect(empty).toContain('data-testid="chart-empty"');
  });

  it('keeps at most maxGroupsPerRun groups, first and last included', () => {
    const many = { ...runs[1]!, groups: Array.from({ length: 10 }, (_, i) => ({ ...runs[1]!.groups[0]!, step: i + 1 })) };
    const page = renderReport([many], { generatedAt: null, maxGroupsPerRun: 4 });
    const steps = [...page.matchAll(/data-testid="group-view" data-group-index="\d+" data-run="0" data-step="(\d+)"/g)].map((m) => Number(m[1]));
    expect(steps).toEqual([1, 4, 7, 10]);
    expect(page).toContain('6 more groups not shown');
  });
});

describe('writeReport', () => {
  it('writes <first run>/report.html atomically and returns its path', async () => {
    const path = await writeReport([fx.arpoDir, fx.grpoDir]);
    expect(path).toBe(join(fx.arpoDir, 'report.html'));
    const text = await readFile(path, 'utf8');
    expect(text).toContain('arpo-seed1 vs grpo-seed1');
    expect((await readdir(fx.arpoDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const other = await writeReport([fx.grpoDir], join(root, 'out.html'), { title: 'GRPO only' });
    expect(other).toBe(join(root, 'out.html'));
    expect(await readFile(other, 'utf8')).toContain('<title>GRPO only</title>');
  });
  it('needs at least one run and fails on a bad run before writing', async () => {
    await expect(writeReport([])).rejects.toThrow(/no run folders/);
    await expect(writeReport([join(root, 'missing')], join(root, 'never.html'))).rejects.toThrow(/config\.json: not found/);
    await expect(readFile(join(root, 'never.html'))).rejects.toThrow(/ENOENT/);
  });
});

describe('layoutTree', () => {
  it('orders branches after their parent, one depth deeper, with the parent segment’s probability', () => {
    const nodes = layoutTree(branchedGroup().trajectories);
    expect(nodes.map((n) => [n.trajectory.id, n.depth, n.row, n.branchProbability, n.branchSegment])).toEqual([
      ['t0', 1, 0, null, null],
      ['t2', 2, 1, 0.7, 2],
      ['t3', 3, 2, 0.62, 2],
      ['t1', 1, 3, null, null],
    ]);
  });
  it('never drops a trajectory: unknown parents and cycles become roots', () => {
    const [a, b] = branchedGroup().trajectories;
    const cyc = [
      { ...a!, id: 'a', parentId: 'b' },
      { ...b!, id: 'b', parentId: 'a' },
      { ...b!, id: 'c', parentId: 'ghost' },
    ];
    const nodes = layoutTree(cyc);
    expect(nodes.map((n) => n.trajectory.id).sort()).toEqual(['a', 'b', 'c']);
    expect(nodes.filter((n) => n.parent === null).length).toBe(2);
  });
});

describe('helpers', () => {
  it('extractToolCall finds the call that produced the next tool result', () => {
    expect(extractToolCall('think <search>a</search> more <search> b </search>', 'search')).toEqual({ tag: 'search', body: 'b' });
    expect(extractToolCall('x <python>print(1)</python>', 'code')).toEqual({ tag: 'python', body: 'print(1)' });
    expect(extractToolCall('no call', 'search')).toBeNull();
  });
  it('formats numbers', () => {
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(Number.NaN)).toBe('—');
    expect(formatPointsDelta(-0.035)).toBe('−3.5 pp');
    expect(formatSigned(0.2)).toBe('+0.200');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 m');
  });
  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 1, 5, false)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 4, 6, true)).toEqual([1, 2, 3, 4]);
    expect(niceTicks(3, 3, 6, true)).toEqual([2, 3, 4]);
    expect(niceTicks(0.5, 0.5, 5, false).length).toBeGreaterThanOrEqual(2);
  });
});
