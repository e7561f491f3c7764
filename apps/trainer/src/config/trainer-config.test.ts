import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArpoConfigError } from '@arpo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { trainerConfigJsonSchema } from './json-schema.js';
import { DEEP_SEARCH_MODEL_RECIPE, DEMO_MODEL_COLD_START, DEMO_MODEL_RECIPE } from '@arpo/demo-model';
import { parseAssignments, readConfigFile, resolveConfig } from './load-config.js';
import { parseTrainerConfig } from './trainer-config.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

const dir = mkdtempSync(join(tmpdir(), 'arpo-trainer-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problem(f: () => unknown): { field: string; value: unknown; expected: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ArpoConfigError);
    const err = e as ArpoConfigError;
    return { field: err.field, value: err.value, expected: err.expected, message: err.message };
  }
  throw new Error('expected an ArpoConfigError');
}

describe('trainer config', () => {
  it('fills the demo defaults and keeps the reference values the trainer does not override', () => {
    const c = parseTrainerConfig({});
    expect(c.train.algorithm).toBe('arpo');
    expect(c.arpo.rollout.rollouts).toBe(8);
    expect(c.arpo.rollout.initialRollouts).toBe(4); // N = ⌈M/2⌉
    expect(c.arpo.rollout.branchProbability).toBe(0.5); // α
    expect(c.arpo.rollout.entropyWeight).toBe(0.2); // β
    expect(c.arpo.rollout.entropyWindow).toBe(20); // k
    expect(c.arpo.advantage.estimator).toBe('soft');
    expect(c.arpo.loss.clipRatioLow).toBe(0.2);
    expect(c.data.format).toBe('compact');
  });

  it('a user field under arpo keeps the other trainer defaults of that section', () => {
    const c = parseTrainerConfig({ arpo: { rollout: { rollouts: 6 } } });
    expect(c.arpo.rollout.rollouts).toBe(6);
    expect(c.arpo.rollout.initialRollouts).toBe(3);
    expect(c.arpo.rollout.maxResponseTokens).toBe(320);
  });

  it('names the field, the value and the expectation of a bad config', () => {
    expect(problem(() => parseTrainerConfig({ train: { algorithm: 'ppo' } }))).toMatchObject({ field: 'train.algorithm', value: 'ppo', expected: 'one of "arpo", "grpo", "aepo"' });
    expect(problem(() => parseTrainerConfig({ arpo: { rollout: { rollouts: 0 } } }))).toMatchObject({ field: 'arpo.rollout.rollouts', value: 0 });
    expect(problem(() => parseTrainerConfig({ sft: { stpes: 3 } }))).toMatchObject({ field: 'sft.stpes', value: 3 });
    expect(problem(() => parseTrainerConfig({ arpo: { seed: 1 } })).field).toBe('arpo.seed');
  });

  it('merges file < flags < --set, reading YAML scalars', () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'seed: 3\ntrain:\n  steps: 7\n  algorithm: grpo\narpo:\n  rollout:\n    rollouts: 4\n');
    const c = resolveConfig({ file, flags: { train: { steps: 9 } }, assignments: ['arpo.rollout.rollouts=6', 'data.suites=[knowledge, compute]', 'eval.toolsOff=false'] });
    expect(c.seed).toBe(3);
    expect(c.train).toMatchObject({ steps: 9, algorithm: 'grpo' });
    expect(c.arpo.rollout.rollouts).toBe(6);
    expect(c.data.suites).toEqual(['knowledge', 'compute']);
    expect(c.eval.toolsOff).toBe(false);
  });

  it('reads JSON files and reports syntax errors with the file', () => {
    const json = join(dir, 'c.json');
    writeFileSync(json, '{"train": {"steps": 2}}');
    expect(resolveConfig({ file: json }).train.steps).toBe(2);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'train: [1,\n');
    const p = problem(() => resolveConfig({ file: bad }));
    expect(p.message).toContain(bad);
    expect(p.expected).toBe('valid YAML or JSON');
    expect(problem(() => resolveConfig({ file: join(dir, 'missing.yaml') })).field).toBe('(file)');
  });

  it("@arpo/demo-model's recipe files are the configs its index exports, and both are valid trainer configs", () => {
    const pkg = resolve(fileURLToPath(import.meta.url), '../../../../../packages/demo-model');
    expect(readConfigFile(join(pkg, 'recipe.yaml'))).toEqual(DEMO_MODEL_RECIPE);
    expect(readConfigFile(join(pkg, 'cold-start.yaml'))).toEqual(DEMO_MODEL_COLD_START);
    expect(readConfigFile(join(pkg, 'deep-search.yaml'))).toEqual(DEEP_SEARCH_MODEL_RECIPE);
    expect(resolveConfig({ file: join(pkg, 'cold-start.yaml') }).sft).toMatchObject({ imperfectShare: 0.5, imperfectKinds: ['missing-call'] });
  });

  it('rejects malformed --set assignments', () => {
    expect(parseAssignments(['a.b=1', 'a.c=x'])).toEqual({ a: { b: 1, c: 'x' } });
    expect(problem(() => parseAssignments(['steps'])).expected).toContain('path=value');
    expect(problem(() => parseAssignments(['a..b=1'])).value).toBe('a..b=1');
  });

  it('exports a JSON Schema with every section and the defaults', () => {
    const s = trainerConfigJsonSchema() as { properties: Record<string, { properties?: Record<string, { default?: unknown; enum?: unknown[] }> }> };
    expect(Object.keys(s.properties).sort()).toEqual(['arpo', 'data', 'eval', 'model', 'seed', 'sft', 'tools', 'train', 'workers']);
    expect(s.properties['train']!.properties!['algorithm']).toMatchObject({ default: 'arpo', enum: ['arpo', 'grpo', 'aepo'] });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('describes each field with the comment written beside it (core and trainer sections); the generated docs are current', () => {
    type Node = { description?: string; properties?: Record<string, Node> };
    const s = trainerConfigJsonSchema() as Node;
    const at = (...path: string[]) => path.reduce<Node | undefined>((n, k) => n?.properties?.[k], s)?.description;
    expect(at('arpo', 'rollout', 'branchProbability')).toBe('α: base branch probability. Reference 0.5.');
    expect(at('arpo', 'rollout', 'entropyWeight')).toBe('β: entropy weight in P = α + β·ΔH. Reference 0.2.');
    expect(at('train', 'steps')).toBe('RL steps (one rollout batch and one update each).');
    expect(at('data', 'syntheticShare')).toBe('Share of invented entities in the training questions (forces copying from tool results).');
    const check = spawnSync(process.execPath, [join(REPO, 'tools', 'gen-config-docs.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });
});
