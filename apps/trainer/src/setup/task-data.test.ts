import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpoConfigError } from '@arpo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrainerConfig } from '../config/trainer-config.js';
import { Reporter } from '../progress/reporter.js';
import { prepareTaskData } from './task-data.js';

const root = mkdtempSync(join(tmpdir(), 'arpo-task-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quiet = new Reporter({ mode: 'quiet', stream: { write: () => true }, out: { write: () => true } });
const small = { sizes: { train: 40, validation: 5, test: 10 }, syntheticEntities: 50, distractors: 10 };

describe('prepareTaskData', () => {
  it('keeps only the configured question types, in training and held-out splits', async () => {
    const config = parseTrainerConfig({ data: { ...small, types: ['capital'] } });
    const data = await prepareTaskData(config, join(root, 'a'), quiet);
    expect(data.train.length).toBeGreaterThan(0);
    expect(new Set(data.train.map((e) => e.meta?.type))).toEqual(new Set(['capital']));
    expect(new Set(data.heldOut['knowledge']!.map((e) => e.meta?.type))).toEqual(new Set(['capital']));
  });

  it('replaces the splits with JSONL files and names the line of a bad row', async () => {
    const train = join(root, 'train.jsonl');
    writeFileSync(train, '{"question": "What is 2+3?", "answers": "5"}\n{"question": "Capital of France?", "answers": ["Paris"]}\n');
    const test = join(root, 'test.jsonl');
    writeFileSync(test, '{"question": "What is 7*6?", "answers": "42"}\n');
    const data = await prepareTaskData(parseTrainerConfig({ data: { ...small, trainFile: train, testFile: test } }), join(root, 'b'), quiet);
    expect(data.train.map((e) => e.question)).toEqual(['What is 2+3?', 'Capital of France?']);
    expect(data.heldOut['custom']!.map((e) => e.answers)).toEqual([['42']]);
    const bad = join(root, 'bad.jsonl');
    writeFileSync(bad, '{"question": "ok?", "answers": "1"}\n{"answers": "2"}\n');
    const err = await prepareTaskData(parseTrainerConfig({ data: { ...small, trainFile: bad } }), join(root, 'c'), quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArpoConfigError);
    expect((err as Error).message).toContain('line 2');
  });
});
