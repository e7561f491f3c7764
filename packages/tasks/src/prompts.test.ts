import { createHash } from 'node:crypto';
import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { COMPACT_SYSTEM_PROMPT, promptFormat, promptMessages, REFERENCE_SYSTEM_PROMPT, renderPrompt } from './prompts.js';

describe('prompt formats', () => {
  // Checked equal to the quoted text of docs/algorithm.md §6.2 when written (length and digest pinned).
  it('keeps the reference system prompt verbatim, with a correct \\boxed', () => {
    expect(REFERENCE_SYSTEM_PROMPT.startsWith('You are a helpful assistant that can solve the given question step by step')).toBe(true);
    expect(REFERENCE_SYSTEM_PROMPT).toContain('<answer> The final answer is \\[ \\boxed{answer here} \\] </answer>.');
    expect(REFERENCE_SYSTEM_PROMPT.endsWith('the final exact answer is enclosed within \\boxed{} with latex format.')).toBe(true);
    expect(REFERENCE_SYSTEM_PROMPT).not.toContain('\b');
    expect(REFERENCE_SYSTEM_PROMPT).toHaveLength(1148);
    expect(createHash('sha256').update(REFERENCE_SYSTEM_PROMPT).digest('hex')).toBe(
      '177a49a91ade2af50bcf34666e5241b5a3576593e516c6fcd0d030372f425914',
    );
  });

  it('renders prompts and answers in both formats', () => {
    expect(renderPrompt({ question: 'What is 2 + 2?' }, 'compact')).toBe('Use <search> and <python> if needed. Answer in \\boxed{}.\nQuestion: What is 2 + 2?\n');
    expect(renderPrompt('Q?')).toBe(`${REFERENCE_SYSTEM_PROMPT}\n\nQuestion: Q?\n`);
    expect(promptFormat('reference').answer(' 4')).toBe('<answer> The final answer is \\[ \\boxed{ 4} \\] </answer>');
    expect(promptFormat('compact').answer(' 4')).toBe('<answer> \\boxed{ 4} </answer>');
    expect(promptMessages('Q?', 'compact')).toEqual([
      { role: 'system', content: COMPACT_SYSTEM_PROMPT },
      { role: 'user', content: 'Q?' },
    ]);
    expect(() => promptFormat('short' as 'compact')).toThrow(ArpoConfigError);
  });
});
