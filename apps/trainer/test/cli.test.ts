import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModelPath } from '@arpo/demo-model';
import type { TrainerConfig } from '../src/config/trainer-config.js';
import type { EvalRow, MetricsRow, RunSummaryFile, TrainRow } from '../src/run-files.js';
import { arpo, arpoBackground, waitForFile } from './cli-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'arpo-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const readMetrics = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricsRow);

/** A train row without its wall-clock fields (everything else must repeat exactly). */
const deterministic = (r: TrainRow) => {
  const { time: _time, elapsedMs: _elapsed, tokensPerSecond: _tps, ...rest } = r;
  return rest;
};

// The RL runs below share this: 4 steps of the quick config, a checkpoint every step, a tiny evaluation.
const TRAIN = ['--quick', '--steps', '4', '--set', 'train.checkpointEvery=1', '--set', 'eval.examples=2', '--set', 'eval.toolsOff=false', '--plain'];
let sftModel: string;

beforeAll(() => {
  const r = arpo(['sft', '--quick', '--out', join(root, 'sft'), '--quiet'], root);
  expect(r.code, r.stderr).toBe(0);
  sftModel = join(root, 'sft', 'sft-model');
  expect(existsSync(join(sftModel, 'model.safetensors'))).toBe(true);
});

describe('arpo CLI', () => {
  it('fails before any work on a bad config, naming the field, value and expectation', () => {
    const r = arpo(['train', '--model', 'x', '--out', join(root, 'bad'), '--set', 'arpo.rollout.rollouts=0'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('arpo.rollout.rollouts');
    expect(r.stderr).toContain('0');
    expect(existsSync(join(root, 'bad'))).toBe(false);
    const long = arpo(['train', '--model', sftModel, '--out', join(root, 'long'), '--quick', '--set', 'arpo.rollout.maxResponseTokens=5000'], root);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("arpo.rollout.maxPromptTokens + maxResponseTokens = 5096 (expected <= the model's max_position_embeddings (1024))");
    expect(existsSync(join(root, 'long', 'metrics.jsonl'))).toBe(false);
    const u = arpo(['trian'], root);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('one of demo, sft, train');
  });

  it('checks flags, paths and --resume before any work: one line, exit 2, no run folder', () => {
    const cases: [string[], string][] = [
      [['train', '--stepz', '3'], 'Invalid arpo train: --stepz = "--stepz" (expected a known option: did you mean --steps? (see arpo train --help))'],
      [['train', '--steps'], 'Invalid arpo train: --steps = "--out" (expected a value after --steps (see arpo train --help))'],
      [['train', '--quick=yes'], 'Invalid arpo train: --quick = "--quick=yes" (expected --quick alone (a switch takes no value) (see arpo train --help))'],
      [['train', '--model', sftModel, '--steps', '-3'], 'Invalid trainer config: train.steps = -3 (expected a number >= 0)'],
      [['train', '--model', join(root, 'no-such-model')], `Invalid arpo train: model.path (--model) = "${join(root, 'no-such-model')}" (expected an existing model folder (not found from ${root}))`],
      [['eval', '--model', root], `Invalid arpo eval: model.path (--model) = "${root}" (expected an HF model folder with config.json, model.safetensors and tokenizer.json)`],
      [['sft', '--quick', '--set', `data.trainFile=${join(root, 'none.jsonl')}`], `Invalid arpo sft: data.trainFile = "${join(root, 'none.jsonl')}" (expected an existing JSONL file (not found from ${root}))`],
      [
        ['train', '--model', sftModel, '--set', 'arpo.advantage.estimator=medium'],
        'Invalid arpo train: arpo.advantage.estimator = "medium" (expected one of the registered advantage estimators: soft, hard)',
      ],
      [['train', '--model', sftModel, '--resume'], `Invalid arpo train: --resume = "${join(root, 'checked')}" (expected a run folder written by an earlier arpo train (this one has no config.json; leave out --resume to start a new run))`],
    ];
    for (const [argv, message] of cases) {
      const r = arpo([...argv, '--out', join(root, 'checked')], root);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(message);
      expect(existsSync(join(root, 'checked'))).toBe(false);
    }
    const help = arpo(['train', '--help'], root);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: arpo train --model <dir> [options]');
    expect(arpo(['help', 'serve'], root).stdout.split('\n')[0]).toBe('Usage: arpo serve --model <dir> [--port 8000] [--host 127.0.0.1]');
  });

  it('prints the JSON Schema of the config', () => {
    const r = arpo(['config', '--schema'], root);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('arpo');
  });

  it('--resume after a kill mid-run ends with exactly the weights of an uninterrupted run', async () => {
    const a = arpo(['train', '--model', sftModel, '--out', join(root, 'a'), ...TRAIN], root);
    expect(a.code, a.stderr).toBe(0);

    const b = arpoBackground(['train', '--model', sftModel, '--out', join(root, 'b'), ...TRAIN], root);
    const ready = await waitForFile(join(root, 'b', 'checkpoints', 'train', 'step-000002', 'trainer-state.json'), b.exited);
    expect(ready, b.output()).toBe(true);
    b.child.kill('SIGKILL');
    await b.exited;
    expect(existsSync(join(root, 'b', 'model'))).toBe(false); // it did not finish
    const resumed = arpo(['train', '--resume', '--out', join(root, 'b'), '--plain'], root);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming arpo training at step [2-4]/);

    const wa = readFileSync(join(root, 'a', 'model', 'model.safetensors'));
    const wb = readFileSync(join(root, 'b', 'model', 'model.safetensors'));
    expect(wb.equals(wa)).toBe(true);
    const rows = (dir: string) => readMetrics(dir).filter((r): r is TrainRow => r.type === 'train').map(deterministic);
    expect(rows(join(root, 'b'))).toEqual(rows(join(root, 'a')));
    expect(rows(join(root, 'a')).map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });

  it('SIGINT saves a checkpoint and the summary and exits with 130', async () => {
    const c = arpoBackground(['train', '--model', sftModel, '--out', join(root, 'c'), ...TRAIN, '--set', 'train.steps=50'], root);
    const started = await waitForFile(join(root, 'c', 'checkpoints', 'train', 'step-000001', 'trainer-state.json'), c.exited);
    expect(started, c.output()).toBe(true);
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(130);
    const summary = JSON.parse(readFileSync(join(root, 'c', 'summary.json'), 'utf8')) as RunSummaryFile;
    expect(summary.status).toBe('interrupted');
    expect(summary.steps).toBeGreaterThanOrEqual(1);
    expect(summary.steps).toBeLessThan(50);
    expect(existsSync(join(root, 'c', 'checkpoints', 'train', `step-${String(summary.steps).padStart(6, '0')}`, 'trainer-state.json'))).toBe(true);
    expect(c.output()).toContain('--resume');
  });

  it('serve answers /v1/models and /v1/completions with token ids and top-k log-probs, and stops on SIGINT', async () => {
    const s = arpoBackground(['serve', '--model', sftModel, '--port', '0', '--json'], root);
    let url = '';
    for (let i = 0; i < 1200 && !url; i++) {
      const line = s.output().split('\n').find((l) => l.includes('"listening"'));
      if (line) url = (JSON.parse(line) as { url: string }).url;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, s.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data).toHaveLength(1);
    const res = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: models.data[0]!.id, prompt: [5, 6, 7], max_tokens: 4, temperature: 0, logprobs: 3 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ text: string; logprobs: { token_logprobs: number[]; top_logprobs: Array<Record<string, number>> } }> };
    const lp = body.choices[0]!.logprobs;
    expect(lp.token_logprobs.length).toBeGreaterThan(0);
    expect(lp.token_logprobs.length).toBeLessThanOrEqual(4);
    for (const top of lp.top_logprobs) expect(Object.keys(top)).toHaveLength(3);
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it('compare --quick --seeds 1 trains ARPO and GRPO from the same SFT model and prints the table', () => {
    const r = arpo(['compare', '--quick', '--seeds', '1', '--algorithms', 'arpo,grpo', '--model', sftModel, '--out', join(root, 'cmp'), '--quiet'], root);
    expect(r.code, r.stderr).toBe(0);
    const table = r.stdout.split('\n').filter((l) => l.startsWith('|'));
    expect(table[0]).toContain('| knowledge acc. % before RL | knowledge acc. % after RL [95%] sd over seeds |');
    expect(table.slice(2).map((l) => l.split('|')[1]!.trim())).toEqual(['ARPO', 'GRPO']);
    for (const d of ['arpo-seed0', 'grpo-seed0']) expect(existsSync(join(root, 'cmp', d, 'model', 'model.safetensors'))).toBe(true);
    const grpo = readMetrics(join(root, 'cmp', 'grpo-seed0')).filter((x): x is TrainRow => x.type === 'train');
    expect(grpo.every((x) => x.algorithm === 'grpo' && x.branches === 0)).toBe(true);
    for (const f of ['report.html', 'compare.md', 'compare.json', 'frontier.svg']) expect(existsSync(join(root, 'cmp', f)), f).toBe(true);
  });

  it('demo --quick starts from @arpo/demo-model: no SFT, evaluation before and after RL, report', () => {
    const r = arpo(['demo', '--quick', '--json', '--out', join(root, 'demo-pretrained')], root);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; phase?: string; report?: string });
    const phases = new Set(events.filter((e) => e.event === 'phase-end').map((e) => e.phase));
    for (const p of ['data', 'index', 'eval', 'arpo']) expect(phases.has(p), p).toBe(true);
    for (const p of ['demos', 'sft']) expect(phases.has(p), p).toBe(false);
    const config = JSON.parse(readFileSync(join(root, 'demo-pretrained', 'config.json'), 'utf8')) as { config: TrainerConfig };
    expect(config.config.model.path).toBe(demoModelPath());
    expect(config.config.sft.steps).toBe(0);
    const rows = readMetrics(join(root, 'demo-pretrained'));
    expect(rows.filter((x) => x.type === 'sft')).toHaveLength(0);
    expect(rows.filter((x) => x.type === 'train')).toHaveLength(2);
    const evals = rows.filter((x): x is EvalRow => x.type === 'eval');
    expect(new Set(evals.map((x) => x.stage))).toEqual(new Set(['before-rl', 'after-rl']));
    for (const e of evals) {
      // the Wilson interval brackets the accuracy; per-type counts add up to the examples
      expect(e.interval95![0]).toBeLessThanOrEqual(e.accuracy);
      expect(e.interval95![1]).toBeGreaterThanOrEqual(e.accuracy);
      const types = Object.entries(e.byType!).filter(([k]) => !k.startsWith('hops-'));
      expect(types.reduce((a, [, v]) => a + v.examples, 0)).toBe(e.examples);
      expect(Object.values(e.finishReasons!).reduce((a, b) => a + b, 0)).toBe(e.examples);
    }
    const summary = JSON.parse(readFileSync(join(root, 'demo-pretrained', 'summary.json'), 'utf8')) as RunSummaryFile;
    expect(summary.evaluations.map((e) => [e.stage, e.tools])).toEqual([
      ['before-rl', 'on'],
      ['before-rl', 'off'],
      ['after-rl', 'on'],
      ['after-rl', 'off'],
    ]);
  });

  it('demo --quick --from-scratch --json runs the whole pipeline and reports JSON lines', () => {
    const r = arpo(['demo', '--quick', '--from-scratch', '--json', '--out', join(root, 'demo')], root);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; phase?: string; report?: string });
    const phases = new Set(events.filter((e) => e.event === 'phase-end').map((e) => e.phase));
    for (const p of ['data', 'index', 'demos', 'sft', 'eval', 'arpo']) expect(phases.has(p), p).toBe(true);
    const result = events.find((e) => e.event === 'result')!;
    expect(existsSync(result.report!)).toBe(true);
    const rows = readMetrics(join(root, 'demo'));
    expect(rows.filter((x) => x.type === 'sft')).toHaveLength(4);
    expect(rows.filter((x) => x.type === 'train')).toHaveLength(2);
    expect(new Set(rows.filter((x) => x.type === 'eval').map((x) => (x as { stage: string }).stage))).toEqual(new Set(['before-rl', 'after-rl']));
    expect(existsSync(join(root, 'demo', 'groups', 'step-000002.json'))).toBe(true);
  });
});
