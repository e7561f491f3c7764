import { describe, expect, it } from 'vitest';
import { endingToolTag, parseToolCall, toolStopStrings } from './tool-call-parser.js';

const tools = ['search', 'python'];

describe('parseToolCall, training semantics (last <tag> … last </tag>)', () => {
  it('reads a single call', () => {
    // <think>(7) + 16 chars + </think>(8) + 1 space = 32; the text is 68 chars long and ends with </search>
    const text = '<think>need the capital</think> <search> capital of France </search>';
    expect(parseToolCall(text, tools)).toEqual({ tool: 'search', input: 'capital of France', start: 32, end: 68 });
  });

  it('picks the tool whose closing tag comes last', () => {
    const text = '<search>a</search> <result>\nx\n</result> <python>print(1)</python>';
    expect(parseToolCall(text, tools)?.tool).toBe('python');
    expect(parseToolCall(text, tools)?.input).toBe('print(1)');
  });

  it('repeated and nested opening tags: the last one wins', () => {
    expect(parseToolCall('<search>a <search>b</search>', tools)?.input).toBe('b');
    expect(parseToolCall('<search>old</search><result>r</result><search>new</search>', tools)?.input).toBe('new');
  });

  it('a tag inside a code string cuts the body (the reference behaviour)', () => {
    const text = '<python>s = "<python>"\nprint(len(s))</python>';
    expect(parseToolCall(text, tools)?.input).toBe('"\nprint(len(s))');
  });

  it('an empty body is a call with empty input (the trajectory stops)', () => {
    expect(parseToolCall('<search>   </search>', tools)).toEqual({ tool: 'search', input: '', start: 0, end: 20 });
  });

  it('no call: unclosed tag, closing tag without opening, unknown tool', () => {
    expect(parseToolCall('<search>capital of', tools)).toBeNull();
    expect(parseToolCall('capital of</search>', tools)).toBeNull();
    expect(parseToolCall('<browse>x</browse>', tools)).toBeNull();
    expect(parseToolCall('', tools)).toBeNull();
  });

  it('keeps non-ASCII text intact', () => {
    expect(parseToolCall('<search>Zürich 東京 São Paulo 🚀</search>', tools)?.input).toBe('Zürich 東京 São Paulo 🚀');
  });
});

describe('parseToolCall, evaluation semantics (first <tag> … following </tag>)', () => {
  it('reads the first opened call', () => {
    const text = '<python>s = "<python>"\nprint(len(s))</python>';
    expect(parseToolCall(text, tools, 'evaluation')?.input).toBe('s = "<python>"\nprint(len(s))');
  });

  it('nested opening tags stay in the body', () => {
    expect(parseToolCall('<search>a <search>b</search>', tools, 'evaluation')?.input).toBe('a <search>b');
  });

  it('the earliest opening tag across tools wins; unclosed gives null', () => {
    expect(parseToolCall('<python>1</python><search>q</search>', tools, 'evaluation')?.tool).toBe('python');
    expect(parseToolCall('<search>q', tools, 'evaluation')).toBeNull();
  });
});

describe('stop strings', () => {
  it('one closing tag per tool', () => {
    expect(toolStopStrings(tools)).toEqual(['</search>', '</python>']);
  });

  it('endingToolTag finds the tool that ended a segment', () => {
    expect(endingToolTag('<search>q</search>\n', tools)).toBe('search');
    expect(endingToolTag('<search>q</search> more', tools)).toBeNull();
  });
});
