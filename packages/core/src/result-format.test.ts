import { describe, expect, it } from 'vitest';
import { emptyOutputText, executionFailedText, formatToolResult, truncateToolOutput } from './result-format.js';

describe('result formatting', () => {
  it('training form is " <result>\\n{text}\\n</result>"', () => {
    expect(formatToolResult('Page 1: x')).toBe(' <result>\nPage 1: x\n</result>');
  });

  it('evaluation form has no spaces or newlines', () => {
    expect(formatToolResult('42', 'evaluation')).toBe('<result>42</result>');
  });

  it('reference failure texts', () => {
    expect(emptyOutputText('python')).toBe('Tool(python) returned empty output.');
    expect(executionFailedText('search', 'boom')).toBe('Error: Tool(search) execution failed with message: boom');
  });
});

describe('truncateToolOutput', () => {
  it('leaves short text alone', () => {
    expect(truncateToolOutput('abc', 3)).toEqual({ text: 'abc', truncated: false });
  });

  it('cuts a 1 MB output to the limit and says how much was dropped', () => {
    const big = 'x'.repeat(1_048_576);
    const { text, truncated } = truncateToolOutput(big, 1000);
    expect(truncated).toBe(true);
    expect(text).toBe(`${'x'.repeat(1000)}\n[... 1047576 more characters truncated]`);
  });

  it('never splits a surrogate pair', () => {
    const { text } = truncateToolOutput('ab🚀cd', 3); // '🚀' is 2 code units at offsets 2-3
    expect(text.startsWith('ab\n')).toBe(true);
    expect(text).toContain('4 more characters');
  });
});
