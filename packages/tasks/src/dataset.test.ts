import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpoConfigError } from '@arpo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset, parseDatasetText, readExamplesJsonl, splitListAnswer, writeExamplesJsonl } from './dataset.js';
import type { TaskExample } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const referenceRow = {
  prompt: [
    { role: 'system', content: 'You are a helpful assistant ... \boxed{}' },
    { role: 'user', content: 'Who wrote Hamlet?' },
  ],
  reward_model: { ground_truth: 'William Shakespeare', style: 'rule' },
  ability: 'qa',
  data_source: 'DR_grpo_mix',
  extra_info: { index: 7, split: 'train' },
};

describe('loadDataset', () => {
  it('reads the simple shape and the reference row shape, with defaults', () => {
    const text = [
      JSON.stringify({ question: 'What is 2^10?', answers: '1024', ability: 'math', tools: ['python'] }),
      '',
      JSON.stringify(referenceRow),
      JSON.stringify({ ...referenceRow, extra_info: undefined, reward_model: { ground_truth: '[Paris, France]' } }),
      JSON.stringify({ ...referenceRow, ability: 'math', extra_info: { index: 9 }, reward_model: { ground_truth: '[0, 1]' } }),
      JSON.stringify({ id: 'q5', question: 'Capital of Peru?', answers: ['Lima'] }),
    ].join('\n');
    const loaded = parseDatasetText(text, 'mix.jsonl');
    expect(loaded.counts).toEqual({ rows: 5, loaded: 5, skipped: 0 });
    expect(loaded.examples).toEqual([
      { id: 'mix-1', question: 'What is 2^10?', answers: ['1024'], ability: 'math', tools: ['python'] },
      {
        id: 'DR_grpo_mix-7',
        question: 'Who wrote Hamlet?',
        answers: ['William Shakespeare'],
        ability: 'qa',
        tools: ['search', 'python'],
        meta: { suite: 'DR_grpo_mix', type: 'user' },
      },
      {
        id: 'mix-4',
        question: 'Who wrote Hamlet?',
        answers: ['Paris', 'France'],
        ability: 'qa',
        tools: ['search', 'python'],
        meta: { suite: 'DR_grpo_mix', type: 'user' },
      },
      {
        id: 'DR_grpo_mix-9',
        question: 'Who wrote Hamlet?',
        answers: ['[0, 1]'],
        ability: 'math',
        tools: ['search', 'python'],
        meta: { suite: 'DR_grpo_mix', type: 'user' },
      },
      { id: 'q5', question: 'Capital of Peru?', answers: ['Lima'], ability: 'qa', tools: ['search', 'python'] },
    ]);
    expect(splitListAnswer("['a', 'b']")).toEqual(['a', 'b']);
    expect(splitListAnswer('Paris')).toEqual(['Paris']);
  });

  it('fails on a bad row with the file, line number, field and value', () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(
      path,
      [
        JSON.stringify({ question: 'ok?', answers: ['yes'] }),
        '',
        JSON.stringify({ question: 'no golds', answers: [] }),
        JSON.stringify({ ...referenceRow, ability: 'code' }),
        '{"question": ',
        JSON.stringify({ question: 'typo', answer: 'x', answers: ['y'] }),
        JSON.stringify({ id: 'mix-1', question: 'dup?', answers: ['a'] }),
        JSON.stringify({ id: 'mix-1', question: 'dup again?', answers: ['a'] }),
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadDataset(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArpoConfigError);
    const e = error as ArpoConfigError;
    expect(e.message).toBe('Invalid dataset line 3 of bad.jsonl: answers = [] (expected a list with length >= 1)');
    expect([e.subject, e.field, e.value]).toEqual(['dataset line 3 of bad.jsonl', 'answers', []]);

    const skipped = loadDataset(path, { skipInvalid: true });
    expect(skipped.counts).toEqual({ rows: 7, loaded: 2, skipped: 5 });
    expect(skipped.examples.map((x) => x.question)).toEqual(['ok?', 'dup?']);
    expect(skipped.errors.map((x) => x.message)).toEqual([
      'Invalid dataset line 3 of bad.jsonl: answers = [] (expected a list with length >= 1)',
      'Invalid dataset line 4 of bad.jsonl: ability = "code" (expected one of "qa", "math")',
      expect.stringMatching(/^Invalid dataset line 5 of bad\.jsonl: \(root\) = "\{\\"question\\": " \(expected a JSON object \(.+\)\)$/),
      'Invalid dataset line 6 of bad.jsonl: answer = "x" (expected a known field (this key is not part of the schema; check the spelling))',
      'Invalid dataset line 8 of bad.jsonl: id = "mix-1" (expected a unique id (already used by line 7))',
    ]);
  });

  it('writes and reads this package’s rows unchanged', () => {
    const rows: TaskExample[] = [
      {
        id: 'knowledge-test-00000',
        question: 'What is the capital of Peru?',
        answers: ['Lima'],
        ability: 'qa',
        tools: ['search'],
        meta: { suite: 'knowledge', type: 'capital', split: 'test', hops: 1, synthetic: false },
      },
      { id: 'compute-test-00000', question: 'What is 12 times 12?', answers: ['144'], ability: 'math', tools: ['python'] },
    ];
    const path = join(dir, 'rows.jsonl');
    writeExamplesJsonl(path, rows);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(readExamplesJsonl(path)).toEqual(rows);
  });
});
