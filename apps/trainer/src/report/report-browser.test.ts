/*
 * Opens the rendered report in headless Chromium (Debian's `chromium`, driven by playwright-core) with the
 * network blocked, and checks the rendered values against the metrics the fixture wrote. Skips with a printed
 * reason when no Chromium binary is installed (CI installs it in .ci/run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { writeReport } from './index.js';
import { formatCount, formatNumber, formatPercent, formatPointsDelta, formatSigned } from './format.js';
import { latestEvaluations } from './summary-tables.js';
import { readRun } from './read-run.js';
import { INJECTED_SCRIPT, findChromium, writeFixtureRuns, type FixtureRuns } from './test-fixtures.js';

const chromium = findChromium();
if (chromium.path === null) console.warn(`[report] skipping the headless Chromium report tests: ${chromium.reason}`);

describe.skipIf(chromium.path === null)('the report in headless Chromium', () => {
  let root: string;
  let fx: FixtureRuns;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let reportUrl: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'arpo-report-browser-'));
    fx = await writeFixtureRuns(root);
    const file = await writeReport([fx.arpoDir, fx.grpoDir]);
    reportUrl = pathToFileURL(file).href;
    const { chromium: launcher } = await import('playwright-core');
    browser = await launcher.launch({
      executablePath: chromium.path!,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    context = await browser.newContext({ offline: true, javaScriptEnabled: true });
    // Block every request but the report itself, and record all of them.
    await context.route('**/*', (route) => (route.request().url() === reportUrl ? route.continue() : route.abort()));
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`);
    });
    await page.goto(reportUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('loads with no request leaving the page, no script errors and no CSP violations', async () => {
    await page.waitForTimeout(200);
    expect(requests.filter((url) => url !== reportUrl)).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.title()).toBe('ARPO report — arpo-seed1 vs grpo-seed1');
  });

  it('summary: each accuracy cell shows its evaluation row', async () => {
    const runs = [await readRun(fx.arpoDir), await readRun(fx.grpoDir)];
    let checked = 0;
    for (const [i, run] of runs.entries()) {
      for (const row of latestEvaluations(run)) {
        const cell = page.locator(
          `[data-testid="eval-accuracy"][data-run="${i}"][data-split="${row.split}"][data-suite="${row.suite}"][data-tools="${row.tools}"][data-stage="${row.stage}"]`,
        );
        await expect(cell.locator('.v').textContent()).resolves.toBe(formatPercent(row.accuracy));
        await expect(cell.getAttribute('data-value')).resolves.toBe(String(row.accuracy));
        checked++;
      }
    }
    expect(checked).toBe(6 + 2);
    expect(await page.locator('[data-testid="eval-accuracy"]').count()).toBe(checked);
    // The superseded GRPO after-RL row (0.3) is not shown; the later one (0.575) is.
    const grpoAfter = page.locator('[data-testid="eval-accuracy"][data-run="1"][data-stage="after-rl"] .v');
    expect(await grpoAfter.textContent()).toBe('57.5%');
    // The RL change: after − before, per row.
    const delta = page.locator('[data-testid="eval-delta"][data-run="0"][data-suite="entities"][data-tools="on"] .v');
    expect(await delta.textContent()).toBe(formatPointsDelta(0.625 - 0.5));
    expect(await delta.textContent()).toBe('+12.5 pp');
  });

  it('summary: runs table shows algorithm, steps, tool calls and tokens', async () => {
    const row = (i: number, col: string) => page.locator(`[data-testid="summary-row"][data-run="${i}"] [data-testid="summary-${col}"]`);
    expect(await row(0, 'algorithm').textContent()).toBe('ARPO');
    expect(await row(1, 'algorithm').textContent()).toBe('GRPO');
    expect(await row(0, 'rl-steps').textContent()).toBe(String(fx.arpo.train.length));
    expect(await row(0, 'sft-steps').textContent()).toBe('3');
    expect(await row(0, 'tool-calls').textContent()).toBe(formatCount(fx.arpo.summary.trainToolCalls.search ?? NaN));
    const grpoCalls = fx.grpo.train.reduce((s, r) => s + r.toolCallsTotal, 0);
    expect(await row(1, 'tool-calls').textContent()).toBe(formatCount(grpoCalls));
    expect(await row(0, 'tokens').textContent()).toBe('4,010');
    expect(await row(1, 'status').getAttribute('data-value')).toBe('running');
  });

  it('charts: one point per step and run, at the metrics’ values', async () => {
    for (const [chart, pick] of [
      ['reward', (r: (typeof fx.arpo.train)[number]) => r.rewardMean],
      ['accuracy', (r: (typeof fx.arpo.train)[number]) => r.accuracy],
      ['tool-calls', (r: (typeof fx.arpo.train)[number]) => r.toolCallsTotal],
    ] as const) {
      for (const [i, rows] of [fx.arpo.train, fx.grpo.train].entries()) {
        const points = page.locator(`[data-testid="chart-${chart}"] [data-testid="chart-point"][data-series="run-${i}"]`);
        expect(await points.count()).toBe(rows.length);
        const ys = await points.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-y'))));
        const xs = await points.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-x'))));
        expect(ys).toEqual(rows.map(pick));
        expect(xs).toEqual(rows.map((r) => r.step));
      }
      expect(await page.locator(`[data-testid="chart-${chart}"] [data-testid="legend-item"]`).allTextContents()).toEqual([
        'arpo-seed1',
        'grpo-seed1',
      ]);
    }
    const sft = page.locator('[data-testid="chart-sft-loss"] [data-testid="chart-point"]');
    expect(await sft.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-y'))))).toEqual([2.5, 1.75, 1.25]);
    // Points are really drawn inside the plot (laid out, visible).
    const box = await page.locator('[data-testid="chart-reward"] [data-testid="chart-point"]').first().boundingBox();
    expect(box && box.width > 0 && box.height > 0).toBe(true);
  });

  it('legend buttons hide and show a series', async () => {
    const button = page.locator('[data-testid="chart-reward"] [data-toggle-series="run-1"]');
    const point = page.locator('[data-testid="chart-reward"] [data-testid="chart-point"][data-series="run-1"]').first();
    await button.click();
    expect(await point.isVisible()).toBe(false);
    await button.click();
    expect(await point.isVisible()).toBe(true);
  });

  it('entropy: initial vs after tool calls, by segment and per step', async () => {
    const seg = page.locator('[data-testid="chart-entropy-by-segment"] [data-testid="chart-point"][data-series="run-0"]');
    expect(await seg.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-y'))))).toEqual([0.4, 0.6, 0.5]);
    const grpoSeg = page.locator('[data-testid="chart-entropy-by-segment"] [data-testid="chart-point"][data-series="run-1"]');
    expect(await grpoSeg.count()).toBe(2);
    // Step 3 of the ARPO run has no entropy values: a gap, not a point.
    const after = page.locator('[data-testid="chart-entropy-per-step"] [data-testid="chart-point"][data-series="run-0:after-tool"]');
    expect(await after.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-x'))))).toEqual([1, 2, 4]);
    const row = page.locator('[data-testid="entropy-row"][data-run="0"]');
    expect(await row.locator('[data-testid="entropy-initial"]').textContent()).toBe(formatNumber(0.4));
    expect(await row.locator('[data-testid="entropy-after-tool"]').textContent()).toBe(formatNumber(0.55));
    expect(await row.locator('[data-testid="entropy-delta-h"]').textContent()).toBe(formatSigned(0.15));
    expect(await row.locator('[data-testid="entropy-rising"]').textContent()).toBe('3 / 3 (100.0%)');
  });

  it('rollout tree: the picker lists every group and opens on the branched one', async () => {
    const select = page.locator('[data-testid="group-select"]');
    expect(await select.locator('option').count()).toBe(fx.arpo.groups.length + fx.grpo.groups.length);
    const visible = page.locator('[data-testid="group-view"]:visible');
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute('data-step')).toBe('2');
    expect(await visible.getAttribute('data-prompt-id')).toBe('q-17');
    const nodes = visible.locator('[data-testid="tree-node"]');
    expect(await nodes.count()).toBe(4);
    const t2 = visible.locator('[data-testid="tree-node"][data-trajectory-id="t2"]');
    expect(await t2.getAttribute('data-parent-id')).toBe('t0');
    expect(await t2.getAttribute('data-branch-probability')).toBe('0.7');
    expect(await t2.getAttribute('data-depth')).toBe('2');
    expect(await visible.locator('[data-testid="tree-node"][data-trajectory-id="t3"]').getAttribute('data-depth')).toBe('3');
    expect(await visible.locator('.edge-label').allTextContents()).toEqual(['P=0.70 @26', 'P=0.62 @44']);
    // Leaves show their final reward and correctness.
    const t3 = visible.locator('[data-testid="tree-node"][data-trajectory-id="t3"]');
    expect(await t3.getAttribute('data-leaf')).toBe('true');
    expect(await t3.locator('text').textContent()).toContain('r=1.10 ✓');
    expect(await visible.locator('[data-testid="tree-node"][data-trajectory-id="t1"] text').textContent()).toContain('r=0.00 ✗');
  });

  it('rollout tree: a node opens its trajectory with entropy, ΔH, branch probability, children and tool calls', async () => {
    const visible = page.locator('[data-testid="group-view"]:visible');
    const card = visible.locator('[data-testid="trajectory"][data-trajectory-id="t0"]');
    expect(await card.getAttribute('open')).toBeNull();
    await visible.locator('[data-testid="tree-node"][data-trajectory-id="t0"]').click();
    expect(await card.getAttribute('open')).not.toBeNull();
    const branching = card.locator('[data-testid="segment"][data-kind="model"][data-segment-index="2"]');
    expect(await branching.locator('[data-testid="segment-entropy"]').textContent()).toBe('0.900');
    expect(await branching.locator('[data-testid="segment-delta-h"]').textContent()).toBe('+0.500');
    expect(await branching.locator('[data-testid="branch-probability"]').textContent()).toBe('branch P = 0.700');
    expect(await branching.locator('[data-testid="branch-children"]').textContent()).toBe('t2');
    const call = card.locator('[data-testid="segment"][data-segment-index="0"] [data-testid="tool-call"]');
    expect(await call.textContent()).toBe('searchZorblat Industries founder');
    const result = card.locator('[data-testid="segment"][data-kind="tool-result"]');
    expect(await result.getAttribute('data-tool')).toBe('search');
    // Texts are collapsed until opened.
    const text = result.locator('[data-testid="segment-text"]');
    expect(await text.isVisible()).toBe(false);
    await result.locator('summary').click();
    expect(await text.isVisible()).toBe(true);
    expect(await text.textContent()).toBe('<result>Zorblat Industries was founded by Mira Quell.</result>');
  });

  it('an injected <script> in a segment renders as text and does not run', async () => {
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    const texts = await page.locator('[data-testid="segment-text"]').allTextContents();
    expect(texts.some((t) => t.includes(INJECTED_SCRIPT))).toBe(true);
  });

  it('choosing another group shows its tree', async () => {
    const select = page.locator('[data-testid="group-select"]');
    const last = (await select.locator('option').count()) - 1;
    await select.selectOption(String(last));
    const visible = page.locator('[data-testid="group-view"]:visible');
    expect(await visible.count()).toBe(1);
    expect(await visible.getAttribute('data-group-index')).toBe(String(last));
    expect(await visible.getAttribute('data-run')).toBe('1');
    expect(await visible.getAttribute('data-step')).toBe('3');
    expect(await visible.locator('[data-testid="tree-node"]').count()).toBe(3);
    expect(await visible.locator('[data-testid="tree-node"][data-origin="branch"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
