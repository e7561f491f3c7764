import { createHash } from 'node:crypto';
import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { realCountries } from './data/countries.js';
import { generateTasks, splitExamples } from './generate.js';
import { DEFAULT_SUITES, SPLITS, TaskExampleSchema } from './schema.js';
import { COMPUTE_TEMPLATES, questionNumbers, type ComputeType } from './templates.js';

const CONFIG = { seed: 0, sizes: { train: 40, validation: 10, test: 20 }, syntheticEntities: 100, distractors: 200 };
const set = generateTasks(CONFIG);

describe('generateTasks', () => {
  it('is deterministic by seed (pinned digest and first examples)', () => {
    const again = generateTasks(CONFIG);
    expect(JSON.stringify(again)).toBe(JSON.stringify(set));
    // The digest pinned before the deep-search suite existed: its config field aside, the default suites are unchanged.
    const { twoDecoyShare, ...config } = set.config;
    expect(twoDecoyShare).toBe(0.67);
    expect(createHash('sha256').update(JSON.stringify({ ...set, config })).digest('hex')).toBe(
      'dc965a4257d303a5eede83b1679794fb2a86f6c366308fed34e2ca2983828f59',
    );
    expect(set.suites.knowledge!.test[0]).toEqual({
      id: 'knowledge-test-00000',
      question: 'What is the international calling code of Iraq?',
      answers: ['964'],
      ability: 'qa',
      tools: ['search'],
      meta: { suite: 'knowledge', type: 'calling-code', split: 'test', hops: 1, synthetic: false },
    });
    expect(set.suites.knowledge!.train[0]!.question).toBe('What is the currency code of Plepleiliasland?');
    expect(set.suites.knowledge!.train[0]!.answers).toEqual(['ZGN', 'Plepleiliasland Rupee']);
    expect(set.suites.compute!.test[0]!.question).toBe('What is 873500 multiplied by 288537?');
    expect(set.suites.compute!.test[0]!.answers).toEqual(['252037069500']);
    expect(set.suites.mixed!.test[0]!.question).toBe(
      'What is the international calling code of Togo plus the international calling code of China?',
    );
    expect(set.suites.mixed!.test[0]!.answers).toEqual(['314']); // 228 + 86
    expect(generateTasks({ ...CONFIG, seed: 1 }).suites.compute!.test[0]!.question).not.toBe(set.suites.compute!.test[0]!.question);
  });

  it('makes the asked sizes, valid rows and unique ids', () => {
    expect(Object.keys(set.suites)).toEqual([...DEFAULT_SUITES]);
    for (const suite of DEFAULT_SUITES) {
      for (const split of SPLITS) {
        const rows = set.suites[suite]![split];
        expect(rows).toHaveLength(CONFIG.sizes[split]);
        for (const row of rows) expect(TaskExampleSchema.parse(row)).toEqual(row);
      }
    }
    const ids = SPLITS.flatMap((s) => splitExamples(set, s).map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(splitExamples(set, 'test')).toHaveLength(60);
  });

  it('shares no question between splits, and keeps held-out countries out of training', () => {
    const questions = SPLITS.map((s) => new Set(splitExamples(set, s).map((e) => e.question)));
    const [train, validation, test] = questions as [Set<string>, Set<string>, Set<string>];
    for (const q of test) expect(train.has(q) || validation.has(q)).toBe(false);
    for (const q of validation) expect(train.has(q)).toBe(false);

    expect(set.entities.test).toHaveLength(49);
    expect(set.entities.validation).toHaveLength(24);
    expect(set.entities.train).toHaveLength(170);
    const heldOut = [...set.entities.test, ...set.entities.validation];
    const trainText = [...set.suites.knowledge!.train, ...set.suites.mixed!.train].map((e) => e.question).join('\n');
    for (const c of heldOut) {
      expect(trainText.includes(` ${c.capital}?`) || trainText.includes(` ${c.name}?`) || trainText.includes(` ${c.name} plus`)).toBe(false);
    }
    const realNames = new Set(realCountries().map((c) => c.name));
    for (const split of ['validation', 'test'] as const) {
      for (const e of [...set.suites.knowledge![split], ...set.suites.mixed![split]]) expect(e.meta!.synthetic).toBe(false);
    }
    for (const c of set.entities.synthetic) expect(realNames.has(c.name)).toBe(false);
  });

  it('draws the configured share of synthetic training questions', () => {
    expect(set.suites.knowledge!.train.filter((e) => e.meta!.synthetic)).toHaveLength(32);
    expect(set.suites.mixed!.train.filter((e) => e.meta!.synthetic)).toHaveLength(33);
    const none = generateTasks({ ...CONFIG, syntheticShare: 0 });
    expect(none.entities.synthetic).toHaveLength(0);
    expect(none.suites.knowledge!.train.some((e) => e.meta!.synthetic)).toBe(false);
    const all = generateTasks({ ...CONFIG, syntheticShare: 1, distractors: 0 });
    expect(all.suites.knowledge!.train.every((e) => e.meta!.synthetic)).toBe(true);
  });

  it('computes compute-suite golds exactly (BigInt), from the numbers in the question', () => {
    for (const e of splitExamples(set, 'train').filter((x) => x.meta!.suite === 'compute')) {
      const t = COMPUTE_TEMPLATES[e.meta!.type as ComputeType];
      expect(t.value(questionNumbers(e.question)).toString()).toBe(e.answers[0]);
    }
    const n = 84_822n; // sum of squares 1..n, hand formula
    expect(COMPUTE_TEMPLATES['sum-squares'].value([1n, n])).toBe((n * (n + 1n) * (2n * n + 1n)) / 6n);
    expect(COMPUTE_TEMPLATES['power-mod'].value([3n, 20n, 1000n])).toBe(3n ** 20n % 1000n);
  });

  it('writes every gold of a knowledge question into the corpus after a space (as search results show it)', () => {
    expect(set.corpus).toHaveLength(2 * 243 + 2 * 100 + 200);
    const texts = set.corpus.map((d) => `Page 1: ${d.text}`).join('\n');
    for (const e of [...set.suites.knowledge!.test, ...set.suites.knowledge!.train]) {
      const gold = e.answers[0]!;
      expect(new RegExp(` ${gold.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ .,]`).test(texts)).toBe(true);
    }
  });

  it('adds capped WordNet distractors that name no country or capital', () => {
    const distractors = set.corpus.filter((d) => d.id.startsWith('wordnet-n-'));
    expect(distractors).toHaveLength(200);
    expect(distractors.filter((d) => /\b(capital|currency|country|countries|continent|calling|code|city|language|money|nation)\b/i.test(d.text)).length).toBeGreaterThanOrEqual(100);
    for (const d of distractors) {
      for (const c of realCountries()) {
        if (c.name.length > 4) expect(d.text.includes(`${c.name} `) || d.text.endsWith(c.name)).toBe(false);
      }
    }
    expect(generateTasks({ ...CONFIG, distractors: 0 }).corpus).toHaveLength(686);
  });

  it('rejects bad options and sizes it cannot fill, naming the field', () => {
    expect(() => generateTasks({ syntheticShare: 2 })).toThrow(ArpoConfigError);
    expect(() => generateTasks({ syntheticShare: 2 })).toThrow('syntheticShare = 2');
    expect(() => generateTasks({ ...CONFIG, sizes: { train: 0, validation: 0, test: 400 }, suites: ['knowledge'] })).toThrow(
      'Invalid task generation config (knowledge suite): sizes.test = 400 (expected at most 343 (49 test countries × 7 question types))',
    );
    expect(() => generateTasks({ ...CONFIG, syntheticEntities: 0 })).toThrow('syntheticEntities = 0');
  });
});
