import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolExecutor } from '@arpo/core';
import { validateFormat } from '@arpo/reward';
import { createSearchTool, createToolExecutor, openSqliteIndex, type SqliteSearchBackend } from '@arpo/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpusIndex } from './corpus.js';
import { realCountries } from './data/countries.js';
import { DEEP_SEARCH_TEMPLATES, DEEP_SEARCH_TYPES, parseDeepSearchQuestion, type DeepSearchType } from './deep-search.js';
import { scoreResponse } from './evaluate.js';
import { generateTasks, type TaskSet } from './generate.js';
import { createDisabledToolExecutor, solveAll, solveExample } from './solver.js';

const CONFIG = { seed: 0, suites: ['deep-search' as const], syntheticShare: 1, sizes: { train: 60, validation: 10, test: 40 }, syntheticEntities: 200, distractors: 50 };

let dir: string;
let set: TaskSet;
let backend: SqliteSearchBackend;
let tools: ToolExecutor;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arpo-deep-search-'));
  set = generateTasks(CONFIG);
  await buildCorpusIndex(set.corpus, join(dir, 'corpus.sqlite'));
  backend = openSqliteIndex(join(dir, 'corpus.sqlite'));
  tools = createToolExecutor([createSearchTool(backend, { topK: 1 })]);
});

afterAll(() => {
  backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The candidates a question's capital page lists, in page order, parsed independently of the solver. */
function candidatesOf(capital: string): string[] {
  const doc = set.corpus.filter((d) => d.text.startsWith(`${capital} is the capital city of `));
  expect(doc).toHaveLength(1);
  return doc[0]!.text.split(`${capital} is the capital city of `).slice(1).map((s) => s.trim().replace(/\.$/, ''));
}

describe('deep-search suite', () => {
  it('asks about a capital several countries share, singled out by continent or language', () => {
    const test = set.suites['deep-search']!.test;
    expect(test).toHaveLength(40);
    const real = new Map(realCountries().map((c) => [c.name, c]));
    for (const e of test) {
      const type = e.meta!.type as DeepSearchType;
      expect(DEEP_SEARCH_TYPES).toContain(type);
      const { capital, value } = parseDeepSearchQuestion(type, e.question)!;
      const candidates = candidatesOf(capital);
      expect([2, 3]).toContain(candidates.length);
      expect(e.meta!.hops).toBe(1 + candidates.length);
      // exactly one candidate is a (held-out) real country; it meets the condition, the decoys do not
      const targets = candidates.filter((c) => real.has(c));
      expect(targets).toHaveLength(1);
      const target = real.get(targets[0]!)!;
      expect(set.entities.test).toContainEqual(target);
      const condition = DEEP_SEARCH_TEMPLATES[type].condition;
      expect(condition === 'continent' ? target.continent : target.language).toBe(value);
      for (const decoy of candidates.filter((c) => c !== target.name)) {
        const page = set.corpus.find((d) => d.text.startsWith(`${decoy} is a country in `))!;
        expect(page.text).not.toContain(condition === 'continent' ? ` in ${value}.` : `language is ${value}.`);
      }
    }
    expect(new Set(test.map((e) => e.meta!.type)).size).toBe(DEEP_SEARCH_TYPES.length);
  });

  it('lists the intended country at every position of the candidate page (the order says nothing)', () => {
    const positions = new Map<number, number>();
    for (const e of [...set.suites['deep-search']!.test, ...set.suites['deep-search']!.train]) {
      const { capital } = parseDeepSearchQuestion(e.meta!.type as DeepSearchType, e.question)!;
      const at = candidatesOf(capital).findIndex((c) => e.answers.includes(c) || set.corpus.some((d) => d.text.startsWith(`${c} is a country in `) && e.answers.some((a) => d.text.includes(` ${a}.`) || d.text.includes(` ${a},`))));
      positions.set(at, (positions.get(at) ?? 0) + 1);
    }
    expect(positions.get(-1)).toBeUndefined();
    expect([...positions.keys()].sort()).toEqual([0, 1, 2]);
  });

  it('leaves the knowledge suite and its corpus untouched unless deep-search is asked for', () => {
    const plain = generateTasks({ ...CONFIG, suites: ['knowledge'] });
    expect(plain.corpus.some((d) => d.id.startsWith('country-decoy-'))).toBe(false);
    expect(set.corpus.some((d) => d.id.startsWith('country-decoy-'))).toBe(true);
    expect(JSON.stringify(generateTasks(CONFIG))).toBe(JSON.stringify(set));
  });
});

describe('deep-search scripted solver', () => {
  it('checks candidates in page order with real searches until one meets the condition', async () => {
    const examples = set.suites['deep-search']!.test;
    const demos = await solveAll(examples, tools, { format: 'compact' });
    demos.forEach((d, i) => {
      const e = examples[i]!;
      const { capital } = parseDeepSearchQuestion(e.meta!.type as DeepSearchType, e.question)!;
      const candidates = candidatesOf(capital);
      expect(validateFormat(d.response)).toEqual({ ok: true });
      expect(scoreResponse(d.response, e)).toMatchObject({ correct: true });
      expect(d.toolCalls[0]!.input).toBe(`capital city ${capital}`);
      const checked = d.toolCalls.slice(1).map((c) => c.input.replace(/^country /, ''));
      // every candidate up to the intended one, in page order
      expect(checked).toEqual(candidates.slice(0, checked.length));
      expect(d.toolCalls.length).toBeLessThanOrEqual(e.meta!.hops!);
    });
    const mean = demos.reduce((a, d) => a + d.toolCalls.length, 0) / demos.length;
    expect(mean).toBeGreaterThan(2.5);
  });

  it('writes a recovery after a misleading candidate', async () => {
    const examples = set.suites['deep-search']!.test;
    const demos = await solveAll(examples, tools, { format: 'compact' });
    const recovered = demos.find((d) => d.toolCalls.length >= 3)!;
    expect(recovered.response).toMatch(/<think> [^<]+, not [^<]+\. I check [^<]+\. <\/think>\n<search> country /);
  });

  it('no-verify answers from the first candidate with two searches; missing-call guesses without one', async () => {
    const examples = set.suites['deep-search']!.train;
    const noVerify = await solveAll(examples, tools, { imperfectShare: 1, imperfectKinds: ['no-verify'], format: 'compact' });
    for (const d of noVerify) expect(d.toolCalls).toHaveLength(2);
    const right = noVerify.filter((d, i) => scoreResponse(d.response, examples[i]!).correct).length;
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(noVerify.length);
    const missing = await solveExample(examples[0]!, tools, { imperfectShare: 1, imperfectKinds: ['missing-call'] });
    expect(missing.toolCalls).toHaveLength(0);
    const off = await solveAll(examples.slice(0, 10), createDisabledToolExecutor(['search']));
    for (const d of off) expect(validateFormat(d.response)).toEqual({ ok: true });
  });
});
