import { describe, expect, it } from 'vitest';
import { validateFormat, type FormatRule } from './validate-format.js';

const GOOD =
  '<think>plan</think> <search>capital of France</search> <result>\nParis is the capital.\n</result> ' +
  '<think>check</think> <python>print(2 + 2)</python> <result>\n4\n</result> ' +
  '<think>done</think> <answer>The answer is \\[ \\boxed{Paris} \\]</answer>';

function ruleOf(response: string): FormatRule | 'ok' {
  const check = validateFormat(response);
  return check.ok ? 'ok' : check.rule;
}

describe('validateFormat', () => {
  it('accepts a well-formed trajectory with both tools', () => {
    expect(validateFormat(GOOD)).toEqual({ ok: true });
  });

  it('think-tags: unpaired or absent think tags fail; one or more pairs pass', () => {
    expect(ruleOf('<think>a</think><think>b<answer>\\boxed{x}</answer>')).toBe('think-tags'); // 2 vs 1
    expect(ruleOf('<think>a</think></think><answer>\\boxed{x}</answer>')).toBe('think-tags'); // 1 vs 2
    expect(ruleOf('<answer>\\boxed{x}</answer>')).toBe('think-tags'); // 0 vs 0
    const check = validateFormat('<answer>\\boxed{x}</answer>');
    expect(check.ok ? '' : check.message).toBe('no <think> … </think> block');
    expect(ruleOf('<think>a</think><answer>\\boxed{x}</answer>')).toBe('ok');
    expect(ruleOf('<think>a</think><think>b</think><answer>\\boxed{x}</answer>')).toBe('ok');
  });

  it('answer-count: <answer> and </answer> must each occur exactly once', () => {
    expect(ruleOf('<think>t</think><answer>\\boxed{a}</answer><answer>\\boxed{b}</answer>')).toBe('answer-count');
    expect(ruleOf('<think>t</think>\\boxed{a}')).toBe('answer-count');
    expect(ruleOf('<think>t</think><answer>\\boxed{a}</answer></answer>')).toBe('answer-count');
    expect(ruleOf('<think>t</think><answer>\\boxed{a}')).toBe('answer-count');
    expect(ruleOf('<think>t</think><answer>\\boxed{a}</answer>')).toBe('ok');
  });

  it('tool-result-order: each <search> needs </search> … <result> … </result> after it', () => {
    const wrap = (middle: string) => `<think>t</think>${middle}<answer>\\boxed{a}</answer>`;
    expect(ruleOf(wrap('<search>q</search>'))).toBe('tool-result-order'); // no result
    expect(ruleOf(wrap('<search>q<result>r</result></search>'))).toBe('tool-result-order'); // result before </search>
    expect(ruleOf(wrap('<search>q</search><result>r'))).toBe('tool-result-order'); // unclosed result
    expect(ruleOf(wrap('<search>q</search><result>r</result><search>q2</search>'))).toBe('tool-result-order');
    const check = validateFormat(wrap('<search>q</search>'));
    expect(check.ok ? '' : check.message).toBe('search/result tags are incomplete');
    expect(ruleOf(wrap('<search>q</search><result>r</result>'))).toBe('ok');
    expect(ruleOf(wrap('<search>q</search><result>r</result><search>q2</search><result>r2</result>'))).toBe('ok');
  });

  it('tool-result-order: the same check for <python>', () => {
    const wrap = (middle: string) => `<think>t</think>${middle}<answer>\\boxed{a}</answer>`;
    expect(ruleOf(wrap('<python>x=1</python>'))).toBe('tool-result-order');
    expect(ruleOf(wrap('<python>x=1<result>r</result></python>'))).toBe('tool-result-order');
    const check = validateFormat(wrap('<python>x=1<result>r</result></python>'));
    expect(check.ok ? '' : check.message).toBe('python/result tags are in the wrong order');
    expect(ruleOf(wrap('<python>x=1</python><result>\n\n</result>'))).toBe('ok');
    // Reference quirk, kept: each tool is checked on its own, so a python call may "use" a later search's result.
    expect(ruleOf(wrap('<python>x</python><search>q</search><result>r</result>'))).toBe('ok');
  });

  it('answer-order: <answer> must precede </answer>', () => {
    expect(ruleOf('<think>t</think></answer>\\boxed{a}<answer>')).toBe('answer-order');
    expect(ruleOf('<think>t</think><answer>\\boxed{a}</answer>')).toBe('ok');
  });

  it('answer-boxed: the answer span needs \\boxed{ and }', () => {
    expect(ruleOf('<think>t</think><answer>Paris</answer>')).toBe('answer-boxed');
    expect(ruleOf('<think>t</think><answer>\\boxed{Paris</answer>')).toBe('answer-boxed'); // no }
    expect(ruleOf('<think>t</think><answer>\\boxed{Paris</answer>}')).toBe('answer-boxed'); // } outside the span
    expect(ruleOf('<think>\\boxed{Paris}</think><answer>Paris</answer>')).toBe('answer-boxed'); // boxed outside
    expect(ruleOf('<think>t</think><answer>\\boxed Paris</answer>')).toBe('answer-boxed'); // space form not enough
    expect(ruleOf('<think>t</think><answer>\\boxed{Paris}</answer>')).toBe('ok');
  });

  it('checks rules in reference order (the first failure is reported)', () => {
    // Both the answer count and the boxed rule fail; answer-count is checked first.
    expect(ruleOf('<think>t</think><answer>a</answer><answer>b</answer>')).toBe('answer-count');
    // Both think tags and tool order fail; think-tags first.
    expect(ruleOf('<search>q</search><answer>\\boxed{a}</answer>')).toBe('think-tags');
  });
});
