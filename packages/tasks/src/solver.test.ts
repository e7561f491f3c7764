import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatToolResult, type ToolExecutor } from '@arpo/core';
import { BuiltinTokenizer } from '@arpo/policy-tfjs';
import { hierarchicalReward, validateFormat } from '@arpo/reward';
import {
  createPythonExecutor,
  createPythonTool,
  createSearchTool,
  createToolExecutor,
  openSqliteIndex,
  readCorpus,
  type PythonExecutor,
  type SqliteSearchBackend,
} from '@arpo/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCorpusIndex, writeCorpusJsonl } from './corpus.js';
import { scoreResponse } from './evaluate.js';
import { generateTasks, type TaskSet } from './generate.js';
import type { TaskExample } from './schema.js';
import { createDisabledToolExecutor, solveAll, solveExample, type Demonstration } from './solver.js';

const CONFIG = { seed: 0, sizes: { train: 40, validation: 10, test: 20 }, syntheticEntities: 100, distractors: 200 };

let dir: string;
let set: TaskSet;
let backend: SqliteSearchBackend;
let python: PythonExecutor;
let tools: ToolExecutor;
/** A few examples per suite: held-out real ones and synthetic training ones. */
let sample: Record<'knowledge' | 'compute' | 'mixed', TaskExample[]>;
let demos: Record<'knowledge' | 'compute' | 'mixed', Demonstration[]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arpo-tasks-'));
  set = generateTasks(CONFIG);
  writeCorpusJsonl(join(dir, 'corpus.jsonl'), set.corpus);
  await buildCorpusIndex(join(dir, 'corpus.jsonl'), join(dir, 'corpus.sqlite'));
  backend = openSqliteIndex(join(dir, 'corpus.sqlite'));
  python = (await createPythonExecutor({ log: () => {} })).executor;
  tools = createToolExecutor([createSearchTool(backend), createPythonTool(python)]);
  const synthetic = (suite: 'knowledge' | 'mixed', n: number) => set.suites[suite]!.train.filter((e) => e.meta!.synthetic).slice(0, n);
  sample = {
    knowledge: [...set.suites.knowledge!.test.slice(0, 6), ...set.suites.knowledge!.validation.slice(0, 2), ...synthetic('knowledge', 3)],
    compute: [...set.suites.compute!.test.slice(0, 4), ...set.suites.compute!.train.slice(0, 2)],
    mixed: [...set.suites.mixed!.test.slice(0, 3), ...synthetic('mixed', 2)],
  };
  // every suite at once: the executor runs the Python calls concurrently
  const [k, c, m] = await Promise.all([solveAll(sample.knowledge, tools), solveAll(sample.compute, tools), solveAll(sample.mixed, tools)]);
  demos = { knowledge: k, compute: c, mixed: m };
});

afterAll(async () => {
  backend?.close();
  await python?.close?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('corpus', () => {
  it('round-trips through JSONL and the @arpo/tools index', async () => {
    const docs = [];
    for await (const d of readCorpus(join(dir, 'corpus.jsonl'))) docs.push(d);
    expect(docs).toEqual(set.corpus);
    const hits = await backend.search('capital city Canberra', 3);
    expect(hits[0]).toMatchObject({ id: 'capital-AU', text: 'Canberra is the capital city of Australia.' });
  });
});

describe('scripted solver with tools', () => {
  it('scores 100% on every suite: valid format, correct answers, reward 1 (1.1 with both tools)', () => {
    for (const suite of ['knowledge', 'compute', 'mixed'] as const) {
      sample[suite].forEach((example, i) => {
        const d = demos[suite][i]!;
        expect(validateFormat(d.response)).toEqual({ ok: true });
        expect(d.prediction).toBe(example.answers[0]);
        expect(d.reward).toBe(suite === 'mixed' ? 1.1 : 1);
        expect(hierarchicalReward(d.response, example.answers).reward).toBe(d.reward);
        expect(scoreResponse(d.response, example)).toMatchObject({ correct: true, em: 1, f1: 1, formatValid: true });
        expect(d.imperfection).toBe('none');
        for (const call of d.toolCalls) expect(call.status).toBe('ok');
      });
    }
    expect(demos.knowledge.map((d) => d.toolCalls.length)).toEqual(sample.knowledge.map((e) => e.meta!.hops));
    expect(demos.compute.every((d) => d.toolCalls.length === 1 && d.toolCalls[0]!.tool === 'python')).toBe(true);
    expect(demos.mixed.map((d) => d.toolCalls.map((c) => c.tool).join(','))).toEqual([
      'search,search,python',
      'search,search,python',
      'search,python',
      'search,search,python',
      'search,search,python',
    ]);
  });

  it('writes the result text the tool really returned, as training-format segments', () => {
    for (const d of [...demos.knowledge, ...demos.compute, ...demos.mixed]) {
      expect(d.segments.map((s) => s.text).join('')).toBe(d.response);
      const toolSegments = d.segments.filter((s) => s.role === 'tool');
      expect(toolSegments.map((s) => s.text)).toEqual(d.toolCalls.map((c) => formatToolResult(c.output)));
      expect(d.segments.at(-1)!.role).toBe('model');
    }
    const compute = demos.compute[0]!;
    expect(sample.compute[0]!.question).toBe('What is 873500 multiplied by 288537?');
    expect(compute.response).toBe(
      '<think> I will compute this with Python. </think>\n<python>\nprint("answer:", 873500 * 288537)\n</python> <result>\nanswer: 252037069500\n</result>\n' +
        '<think> The result is 252037069500. </think>\n<answer> The final answer is \\[ \\boxed{ 252037069500} \\] </answer>',
    );
    const knowledge = demos.knowledge[0]!;
    expect(knowledge.segments.filter((s) => s.role === 'model').map((s) => s.text)).toEqual([
      '<think> I need the calling code of Iraq. I will search for it. </think>\n<search> calling code of Iraq </search>',
      '\n<think> The calling code of Iraq is 964. </think>\n<answer> The final answer is \\[ \\boxed{ 964} \\] </answer>',
    ]);
    expect(knowledge.toolCalls[0]!.output.split('\n')[0]).toBe(
      'Page 1: Iraq is a country in Asia. Its currency is the Iraqi Dinar, code IQD. Its international calling code is 964. Its main language is Arabic.',
    );
  });

  it('copies answers that tokenize the same inside \\boxed{} as in the result (built-in tokenizer)', () => {
    const all = [...demos.knowledge, ...demos.compute, ...demos.mixed];
    const tokenizer = BuiltinTokenizer.train([...set.corpus.map((d) => d.text), ...all.map((d) => d.response)], { vocabSize: 3000, minFrequency: 2 });
    const contains = (hay: number[], needle: number[]) =>
      hay.some((_, i) => needle.length > 0 && needle.every((id, j) => hay[i + j] === id));
    for (const d of all) {
      const answer = tokenizer.encode(` ${d.prediction}`);
      const response = tokenizer.encode(d.response);
      const boxed = tokenizer.encode('\\boxed{');
      expect(contains(response, [...boxed, ...answer, ...tokenizer.encode('}')])).toBe(true);
      const last = d.segments.filter((s) => s.role === 'tool').at(-1)!;
      expect(contains(tokenizer.encode(last.text), answer)).toBe(true);
    }
  });

  it('renders the compact format and a share of imperfect demonstrations, deterministically', async () => {
    const train = set.suites.knowledge!.train;
    const options = { imperfectShare: 0.5, seed: 3, format: 'compact' as const };
    const imperfect = await solveAll(train, tools, options);
    const counts: Record<string, number> = { none: 0, 'wrong-query': 0, 'missing-call': 0 };
    for (const d of imperfect) counts[d.imperfection] = (counts[d.imperfection] ?? 0) + 1;
    expect(counts).toEqual({ none: 22, 'wrong-query': 10, 'missing-call': 8 });
    for (const d of imperfect) {
      expect(validateFormat(d.response)).toEqual({ ok: true });
      expect(d.prompt.startsWith('Use <search> and <python> if needed. Answer in \\boxed{}.\nQuestion: ')).toBe(true);
      if (d.imperfection === 'none') expect(d.reward).toBe(1);
      if (d.imperfection === 'missing-call') expect(d.toolCalls).toHaveLength(0);
    }
    expect(imperfect.filter((d) => d.imperfection !== 'none' && d.reward === 1)).toHaveLength(0); // no lucky guess with this seed
    const wrong = imperfect.find((d) => d.imperfection === 'wrong-query')!;
    expect(wrong.response).toMatch(/<answer> \\boxed\{ .+\} <\/answer>$/);
    const again = await solveExample(train[imperfect.indexOf(wrong)]!, tools, options);
    expect(again.response).toBe(wrong.response);
  });

  it('imperfectKinds restricts the imperfections drawn; the default keeps the draws of both kinds', async () => {
    const train = set.suites.knowledge!.train;
    const both = await solveAll(train, tools, { imperfectShare: 0.5, seed: 3, format: 'compact' });
    const explicit = await solveAll(train, tools, { imperfectShare: 0.5, seed: 3, format: 'compact', imperfectKinds: ['wrong-query', 'missing-call'] });
    expect(explicit.map((d) => d.imperfection)).toEqual(both.map((d) => d.imperfection));
    const missing = await solveAll(train, tools, { imperfectShare: 0.5, seed: 3, format: 'compact', imperfectKinds: ['missing-call'] });
    // The same examples are imperfect (the first draw decides), all of them now without a tool call.
    expect(missing.map((d) => d.imperfection !== 'none')).toEqual(both.map((d) => d.imperfection !== 'none'));
    expect(missing.filter((d) => d.imperfection === 'missing-call')).toHaveLength(18);
    for (const d of missing) if (d.imperfection === 'missing-call') expect(d.toolCalls).toHaveLength(0);
    await expect(solveExample(train[0]!, tools, { imperfectShare: 0.5, imperfectKinds: [] })).rejects.toThrow(/imperfectKinds/);
  });
});

describe('scripted solver without tools', () => {
  it('scores below 20% on every suite when results are "No search results found." / an error', async () => {
    const off = createDisabledToolExecutor();
    const rate = async (examples: TaskExample[]) => {
      const d = await solveAll(examples, off);
      for (const x of d) expect(validateFormat(x.response)).toEqual({ ok: true });
      return d.filter((x) => x.reward >= 1).length / d.length;
    };
    const all = (suite: 'knowledge' | 'compute' | 'mixed') => [...set.suites[suite]!.train, ...set.suites[suite]!.validation, ...set.suites[suite]!.test];
    expect(await rate(all('knowledge'))).toBeCloseTo(4 / 70, 10); // majority guesses (EUR, Africa, 44) that happen to be right
    expect(await rate(all('compute'))).toBe(0);
    expect(await rate(all('mixed'))).toBe(0);
    const [d] = await solveAll([set.suites.compute!.test[0]!], off);
    expect(d!.response).toContain('Error: Tool(python) execution failed with message: the tool is disabled');
    expect(d!.prediction).toBe('252300000000'); // the 2-significant-digit estimate 870000 × 290000
  });
});
