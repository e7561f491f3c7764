import { mkdtemp, rm, writeFile, appendFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArpoConfigError, ArpoError } from '@arpo/core';
import { parseMetrics, readRun } from './read-run.js';
import { branchedGroup, trainRow, writeFixtureRuns, writeRunFolder, type FixtureRuns } from './test-fixtures.js';

let root: string;
let fx: FixtureRuns;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arpo-read-run-'));
  fx = await writeFixtureRuns(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readRun', () => {
  it('reads config, metrics, summary and groups of a finished run', async () => {
    const run = await readRun(fx.arpoDir);
    expect(run.name).toBe('arpo-seed1');
    expect(run.config.kind).toBe('train');
    expect(run.sft.map((r) => r.loss)).toEqual([2.5, 1.75, 1.25]);
    expect(run.train).toEqual(fx.arpo.train);
    expect(run.evals).toHaveLength(6);
    expect(run.rows).toHaveLength(3 + 4 + 6);
    expect(run.summary?.status).toBe('completed');
    expect(run.groups.map((g) => g.step)).toEqual([2, 4]);
    expect(run.warnings).toEqual([]);
  });

  it('treats summary.json and groups/ as optional', async () => {
    const dir = join(root, 'bare');
    await writeRunFolder(dir, {
      config: { formatVersion: 1, kind: 'sft', name: '', startedAt: 'x', argv: [], config: {} },
      rows: [],
      summary: null,
      groups: [],
    });
    await rm(join(dir, 'groups'), { recursive: true });
    const run = await readRun(dir);
    expect(run.name).toBe('bare'); // empty config name → folder name
    expect(run.summary).toBeNull();
    expect(run.groups).toEqual([]);
    expect(run.rows).toEqual([]);
  });

  it('keeps the last row of a repeated step (a resumed run) and sorts by step', async () => {
    const dir = join(root, 'resumed');
    await writeRunFolder(dir, {
      config: { formatVersion: 1, kind: 'train', name: 'r', startedAt: 'x', argv: [], config: {} },
      rows: [trainRow(1), trainRow(2, { rewardMean: 0.111 }), trainRow(2, { rewardMean: 0.222 }), trainRow(3)],
      summary: null,
      groups: [],
    });
    const run = await readRun(dir);
    expect(run.train.map((r) => [r.step, r.rewardMean])).toEqual([[1, 0.1], [2, 0.222], [3, 0.30000000000000004]]);
    expect(run.rows).toHaveLength(4);
  });

  it('fails on a missing run folder or config.json', async () => {
    await expect(readRun(join(root, 'nope'))).rejects.toThrow(/config\.json: not found/);
  });

  it('names the group file of an invalid group', async () => {
    const dir = join(root, 'bad-group');
    const group = branchedGroup();
    await writeRunFolder(dir, {
      config: { formatVersion: 1, kind: 'train', name: 'g', startedAt: 'x', argv: [], config: {} },
      rows: [],
      summary: null,
      groups: [group],
    });
    await writeFile(join(dir, 'groups', '.step-000009.json.tmp'), '{'); // a temp file of an atomic writer: ignored
    await writeFile(join(dir, 'groups', 'step-000003.json'), JSON.stringify({ ...group, trajectories: [{ id: 5 }] }));
    await expect(readRun(dir)).rejects.toThrow(/step-000003\.json: trajectories\.0\.id = 5 \(expected a string\)/);
  });

  it('rejects an invalid summary.json with the field named', async () => {
    const dir = join(root, 'bad-summary');
    await writeRunFolder(dir, {
      config: { formatVersion: 1, kind: 'train', name: 's', startedAt: 'x', argv: [], config: {} },
      rows: [],
      summary: null,
      groups: [],
    });
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...fx.arpo.summary, status: 'done' }));
    await expect(readRun(dir)).rejects.toThrow(/summary\.json: status = "done" \(expected one of "completed", "interrupted", "failed"\)/);
  });

  it('skips an unterminated last line of a run in progress, with a warning', async () => {
    const dir = join(root, 'live');
    await writeRunFolder(dir, {
      config: { formatVersion: 1, kind: 'train', name: 'live', startedAt: 'x', argv: [], config: {} },
      rows: [trainRow(1)],
      summary: null,
      groups: [],
    });
    await appendFile(join(dir, 'metrics.jsonl'), '{"type":"train","step":2,"rew');
    const run = await readRun(dir);
    expect(run.train).toHaveLength(1);
    expect(run.warnings).toEqual([expect.stringMatching(/metrics\.jsonl line 2: skipped an unterminated last line/)]);
    await unlink(join(dir, 'metrics.jsonl'));
    await expect(readRun(dir)).rejects.toThrow(/metrics\.jsonl: not found/);
  });
});

describe('parseMetrics errors name the file, the line and what was expected', () => {
  const good = JSON.stringify(trainRow(1));
  it('a line that is not JSON', () => {
    const text = `${good}\n\n{oops\n${good}\n`;
    expect(() => parseMetrics(text, '/r/metrics.jsonl')).toThrow(ArpoError);
    expect(() => parseMetrics(text, '/r/metrics.jsonl')).toThrow(
      /^\/r\/metrics\.jsonl line 3: not valid JSON \(.+\); expected one metrics row \(a JSON object\) per line$/,
    );
  });
  it('a row with a missing field', () => {
    const { rewardMean: _drop, ...row } = trainRow(2);
    const text = `${good}\n${JSON.stringify(row)}\n`;
    const error = (() => {
      try {
        parseMetrics(text, '/r/metrics.jsonl');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ArpoConfigError);
    expect((error as ArpoConfigError).message).toBe(
      'Invalid train row at /r/metrics.jsonl line 2: rewardMean = undefined (missing) (expected a number)',
    );
    expect((error as ArpoConfigError).field).toBe('rewardMean');
  });
  it('a row of a wrong type', () => {
    expect(() => parseMetrics('{"type":"train","step":"one"}\n', 'm.jsonl')).toThrow(/train row at m\.jsonl line 1: step = "one" \(expected a number\)/);
    expect(() => parseMetrics('{"type":"debug"}\n', 'm.jsonl')).toThrow(
      /metrics row at m\.jsonl line 1: type = "debug" \(expected one of "sft", "train", "eval"\)/,
    );
    expect(() => parseMetrics('[1,2]\n', 'm.jsonl')).toThrow(/m\.jsonl line 1: \(root\) = \[1,2\] \(expected a JSON object/);
    expect(() => parseMetrics(`${JSON.stringify({ ...trainRow(1), accuracy: null })}\n`, 'm.jsonl')).toThrow(/accuracy = null \(expected a number\)/);
  });
  it('an unterminated last line that is valid JSON is still read', () => {
    expect(parseMetrics(good, 'm')).toHaveLength(1);
  });
});
