import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestCheckpoint, listCheckpoints, readTrainerCheckpoint, saveModelAtomic, saveTrainerCheckpoint, TRAINER_STATE_FILE } from './checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'arpo-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A policy double that writes one file (the checkpoint logic, not the model, is under test). */
const fakePolicy = (tag: string) => ({
  async save(dir: string) {
    writeFileSync(join(dir, 'model.safetensors'), tag);
  },
});

const optimizerState = (step: number) => ({
  scheduleStep: step,
  adam: { step: step * 2, m: [new Float32Array([1, 2, 3]), new Float32Array([0.5])], v: [new Float32Array([4, 5, 6]), new Float32Array([0.25])] },
});

const state = (step: number) => ({
  phase: 'train' as const,
  step,
  tracker: { version: 1 as const, step, baselines: [[0, 0.5]] } as never,
  totals: { toolCalls: { search: step }, tokens: 10 * step, elapsedMs: 100 },
  algorithm: 'arpo',
  seed: 7,
});

describe('trainer checkpoints', () => {
  it('round-trip the optimizer moments and state, keep the newest, and ignore half-written folders', async () => {
    const dir = join(root, 'a');
    for (const step of [1, 2, 3]) await saveTrainerCheckpoint(dir, { policy: fakePolicy(`w${step}`), optimizer: optimizerState(step), state: state(step) }, 2);
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([2, 3]);
    // a killed save leaves a temporary folder, and a folder without trainer-state.json is incomplete
    mkdirSync(join(dir, 'step-000009.tmp-1234'));
    mkdirSync(join(dir, 'step-000008'));
    writeFileSync(join(dir, 'step-000008', 'model.safetensors'), 'partial');
    const latest = latestCheckpoint(dir)!;
    expect(latest.step).toBe(3);
    expect(readdirSync(dir).some((e) => e.includes('.tmp-'))).toBe(false);
    expect(readFileSync(join(latest.dir, 'model.safetensors'), 'utf8')).toBe('w3');
    const read = readTrainerCheckpoint(latest.dir);
    expect(read.optimizer.scheduleStep).toBe(3);
    expect(read.optimizer.adam.step).toBe(6);
    expect(read.optimizer.adam.m.map((x) => Array.from(x))).toEqual([[1, 2, 3], [0.5]]);
    expect(read.optimizer.adam.v.map((x) => Array.from(x))).toEqual([[4, 5, 6], [0.25]]);
    expect(read.state).toMatchObject({ phase: 'train', step: 3, algorithm: 'arpo', seed: 7, totals: { toolCalls: { search: 3 }, tokens: 30 } });
    expect(() => readTrainerCheckpoint(join(dir, 'step-000008'))).toThrow(`no ${TRAINER_STATE_FILE}`);
  });

  it('a final model folder appears only complete', async () => {
    const dir = join(root, 'model');
    await saveModelAtomic(fakePolicy('v1'), dir);
    await saveModelAtomic(fakePolicy('v2'), dir);
    expect(readFileSync(join(dir, 'model.safetensors'), 'utf8')).toBe('v2');
    expect(existsSync(`${dir}.tmp-${process.pid}`)).toBe(false);
  });
});
