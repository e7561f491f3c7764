import { ArpoConfigError, type RewardConfigInput } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { createHierarchicalReward } from './create-hierarchical-reward.js';
import { hierarchicalReward } from './hierarchical-reward.js';

const SEARCH = '<search>q</search> <result>\ndoc\n</result> <think>more</think> ';
const PYTHON = '<python>print(1)</python> <result>\n1\n</result> <think>ok</think> ';

function respond(answer: string, tools: { search?: boolean; python?: boolean } = {}): string {
  return `<think>plan</think> ${tools.search ? SEARCH : ''}${tools.python ? PYTHON : ''}<answer>The answer is \\boxed{${answer}}</answer>`;
}

describe('hierarchicalReward (paper Eq. 8, reference compute_score)', () => {
  it('correct answer with both tools: F1 + r_M', () => {
    // F1 = 1, both </search> and </python> → 1 + 0.1 = 1.1
    expect(hierarchicalReward(respond('Paris', { search: true, python: true }), 'Paris')).toEqual({
      reward: 1.1,
      components: { f1: 1, em: 1, multiToolBonus: 0.1 },
    });
  });

  it('partial answer with both tools: F1 + r_M', () => {
    // [new, york] vs [new, jersey, city]: F1 = 2·1/(2+3) = 0.4 → 0.4 + 0.1 = 0.5
    const out = hierarchicalReward(respond('New York', { search: true, python: true }), 'New Jersey City');
    expect(out).toEqual({ reward: 0.5, components: { f1: 0.4, em: 0, multiToolBonus: 0.1 } });
  });

  it('one tool only: no bonus', () => {
    expect(hierarchicalReward(respond('New York', { search: true }), 'New Jersey City').reward).toBe(0.4);
    expect(hierarchicalReward(respond('New York', { python: true }), 'New Jersey City').reward).toBe(0.4);
    expect(hierarchicalReward(respond('New York'), 'New Jersey City').reward).toBe(0.4);
  });

  it('F1 = 0 gives 0 even with both tools', () => {
    expect(hierarchicalReward(respond('London', { search: true, python: true }), 'Paris')).toEqual({
      reward: 0,
      components: { f1: 0, em: 0, multiToolBonus: 0 },
    });
    expect(hierarchicalReward(respond('yes', { search: true, python: true }), 'no').reward).toBe(0);
  });

  it('the answer appearing twice gives −1', () => {
    const twice = `${respond('Paris')}<answer>\\boxed{Paris}</answer>`;
    expect(hierarchicalReward(twice, 'Paris')).toEqual({
      reward: -1,
      components: { f1: 0, em: 0, multiToolBonus: 0 },
      formatError: 'answer-count',
    });
  });

  it('every format rule gives the penalty and names itself', () => {
    const cases: Array<[string, string]> = [
      ['<answer>\\boxed{Paris}</answer>', 'think-tags'],
      ['<think>t</think><search>q</search><answer>\\boxed{Paris}</answer>', 'tool-result-order'],
      ['<think>t</think></answer>\\boxed{Paris}<answer>', 'answer-order'],
      ['<think>t</think><answer>Paris</answer>', 'answer-boxed'],
    ];
    for (const [response, rule] of cases) {
      const out = hierarchicalReward(response, 'Paris');
      expect(out.reward).toBe(-1);
      expect(out.formatError).toBe(rule);
    }
  });

  it('a failed extraction after a passing format check gives −1', () => {
    // "\boxed{" and "}" are both in the span, but the last \boxed never closes
    const out = hierarchicalReward('<think>t</think><answer>} \\boxed{Paris</answer>', 'Paris');
    expect(out).toMatchObject({ reward: -1, formatError: 'answer-extraction' });
  });

  it('brace-matched nested boxed answers are scored by F1 (no math equivalence in training)', () => {
    // "\frac{1}{2}" normalises to "frac12" on both sides → F1 = 1
    expect(hierarchicalReward(respond('\\frac{1}{2}'), '\\frac{1}{2}').reward).toBe(1);
    // "0.5" → "05" vs "frac12" → F1 = 0, although mathEqual would accept it
    expect(hierarchicalReward(respond('0.5'), '\\frac{1}{2}').reward).toBe(0);
  });

  it('the last boxed answer inside <answer> is scored', () => {
    const response = '<think>t</think><answer>\\boxed{London}, no: \\boxed{Paris}</answer>';
    expect(hierarchicalReward(response, 'Paris').reward).toBe(1);
  });

  it('takes the max over golds and keeps non-ASCII', () => {
    // [barack, obama] vs golds: max(2/3, 0.8) = 0.8; plus r_M = 0.1 → 0.9
    const out = hierarchicalReward(respond('Barack Obama', { search: true, python: true }), ['Obama', 'Barack Hussein Obama']);
    expect(out.components?.f1).toBe(0.8);
    expect(out.reward).toBe(0.9);
    expect(hierarchicalReward(respond('東京'), ['Tokyo', '東京']).reward).toBe(1);
  });

  it('honours custom r_M and penalty, and strips a trailing EOS', () => {
    const opts = { multiToolBonus: 0.5, formatPenalty: -2 };
    // F1 = 0.4, both tools → 0.4 + 0.5 = 0.9
    expect(hierarchicalReward(respond('New York', { search: true, python: true }), 'New Jersey City', opts).reward).toBe(0.9);
    expect(hierarchicalReward('<answer>\\boxed{x}</answer>', 'x', opts).reward).toBe(-2);
    expect(hierarchicalReward(`${respond('Paris')}<|im_end|>`, 'Paris').reward).toBe(1);
  });
});

describe('createHierarchicalReward', () => {
  it('is a v1 RewardFunction named "hierarchical" with the reference defaults', async () => {
    const fn = createHierarchicalReward();
    expect(fn.specificationVersion).toBe('v1');
    expect(fn.name).toBe('hierarchical');
    const out = await fn.score({ response: respond('Paris', { search: true, python: true }), groundTruth: ['Paris'] });
    expect(out.reward).toBe(1.1); // 1 + 0.1
  });

  it('uses the parsed config', async () => {
    const fn = createHierarchicalReward({ multiToolBonus: 0.25, formatPenalty: -0.5 });
    expect((await fn.score({ response: respond('Paris', { search: true, python: true }), groundTruth: 'Paris' })).reward).toBe(1.25);
    expect((await fn.score({ response: 'no format', groundTruth: 'Paris' })).reward).toBe(-0.5);
  });

  it('throws ArpoConfigError on a bad config', () => {
    expect(() => createHierarchicalReward({ multiToolBonus: 'big' } as unknown as RewardConfigInput)).toThrow(ArpoConfigError);
    expect(() => createHierarchicalReward({ bonus: 0.1 } as unknown as RewardConfigInput)).toThrow(/bonus/);
    expect(() => createHierarchicalReward({ formatPenalty: null } as unknown as RewardConfigInput)).toThrow(
      expect.objectContaining({ name: 'ArpoConfigError', field: 'formatPenalty' }),
    );
  });
});

describe('the tool tags are configurable (reward.tools)', () => {
  const calc = '<think>t</think><calculator>6*7</calculator> <result>\n42\n</result><answer>\\boxed{42}</answer>';
  it('r_M needs every configured tool; the format check walks each configured tag', () => {
    // F1 = 1; only </calculator> occurs, so with tools [search, calculator] there is no bonus, with [calculator] there is.
    expect(hierarchicalReward(calc, '42', { tools: ['search', 'calculator'] }).reward).toBe(1);
    expect(hierarchicalReward(calc, '42', { tools: ['calculator'] }).reward).toBeCloseTo(1.1, 12);
    // A calculator call with no result block fails the format check only when calculator is a configured tool.
    const unanswered = '<think>t</think><calculator>6*7</calculator><answer>\\boxed{42}</answer>';
    expect(hierarchicalReward(unanswered, '42', { tools: ['calculator'] })).toMatchObject({ reward: -1, formatError: 'tool-result-order' });
    expect(hierarchicalReward(unanswered, '42').reward).toBe(1); // the reference tags: search and python only
    expect(createHierarchicalReward({ tools: ['calculator'] }).score({ response: calc, groundTruth: '42' })).toMatchObject({ reward: 1.1 });
    expect(() => createHierarchicalReward({ tools: ['bad tag'] })).toThrow('Invalid reward config: tools.0 = "bad tag" (expected a tag name)');
  });
});
