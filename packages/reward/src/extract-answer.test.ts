import { describe, expect, it } from 'vitest';
import { lastBoxedContent } from './boxed.js';
import { DEFAULT_EOS_TOKENS, extractAnswer, stripEos } from './extract-answer.js';

describe('lastBoxedContent', () => {
  it('brace-matches nested groups', () => {
    expect(lastBoxedContent('\\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(lastBoxedContent('x \\boxed{a{b{c}}d} y')).toBe('a{b{c}}d');
  });
  it('takes the last \\boxed', () => {
    expect(lastBoxedContent('\\boxed{1} then \\boxed{2}')).toBe('2');
  });
  it('handles \\fbox when there is no \\boxed', () => {
    expect(lastBoxedContent('\\fbox{3}')).toBe('3');
    expect(lastBoxedContent('\\fbox{3} \\boxed{4}')).toBe('4');
  });
  it('the space form takes the text after the last "\\boxed " up to $', () => {
    expect(lastBoxedContent('so \\boxed 42$ done')).toBe('42');
    expect(lastBoxedContent('\\boxed 7')).toBe('7');
    expect(lastBoxedContent('\\boxed 1 and \\boxed{2}')).toBe('1 and \\boxed{2}'); // reference precedence
  });
  it('returns null when absent, unclosed or not directly braced', () => {
    expect(lastBoxedContent('no box')).toBeNull();
    expect(lastBoxedContent('\\boxed{abc')).toBeNull();
    expect(lastBoxedContent('\\boxed{1} \\boxed')).toBeNull(); // the last \boxed has no braces
    expect(lastBoxedContent('\\boxed\n{x}')).toBeNull();
  });
});

describe('extractAnswer', () => {
  it('takes the inner text of the last \\boxed{} inside the first <answer>', () => {
    expect(extractAnswer('<think>t</think><answer>\\boxed{\\frac{1}{2}}</answer>')).toBe('\\frac{1}{2}');
    expect(extractAnswer('<answer>\\boxed{1} or rather \\boxed{2}</answer>')).toBe('2');
    expect(extractAnswer('<answer>\\boxed{a}</answer><answer>\\boxed{b}</answer>')).toBe('a');
  });
  it('spans newlines', () => {
    expect(extractAnswer('<answer>\nThe answer is\n\\[ \\boxed{Paris} \\]\n</answer>')).toBe('Paris');
  });
  it('keeps non-ASCII text', () => {
    expect(extractAnswer('<answer>答案是 \\boxed{東京}</answer>')).toBe('東京');
    expect(extractAnswer('<answer>\\boxed{Zürich}</answer><|im_end|>')).toBe('Zürich');
  });
  it('returns null without an answer, a box, or a closed box', () => {
    expect(extractAnswer('\\boxed{x}')).toBeNull();
    expect(extractAnswer('<answer>x</answer>')).toBeNull();
    expect(extractAnswer('<answer>\\boxed{x</answer>')).toBeNull();
    expect(extractAnswer('<answer>\\boxed{x}')).toBeNull();
  });
});

describe('stripEos', () => {
  it('removes one trailing EOS string from the default list', () => {
    expect(DEFAULT_EOS_TOKENS).toEqual(['<|im_end|>', '<|endoftext|>', '</s>']);
    expect(stripEos('abc</s>')).toBe('abc');
    expect(stripEos('abc<|endoftext|>')).toBe('abc');
    expect(stripEos('a<|im_end|><|im_end|>')).toBe('a<|im_end|>');
    expect(stripEos('a<|im_end|> ')).toBe('a<|im_end|> ');
  });
  it('uses a custom list', () => {
    expect(stripEos('abc<eos>', ['<eos>'])).toBe('abc');
    expect(stripEos('abc</s>', ['<eos>'])).toBe('abc</s>');
    expect(stripEos('abc', [''])).toBe('abc');
  });
});
