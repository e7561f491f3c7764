import { ArpoConfigError } from '@arpo/core';

/**
 * The reference system prompt (spec §6.2, `prompt_type=code_search`), verbatim, with a correct `\boxed` (the RL
 * parquet files of the reference have a BACKSPACE character instead of `\b`; the evaluation prompt is correct).
 */
export const REFERENCE_SYSTEM_PROMPT =
  'You are a helpful assistant that can solve the given question step by step with the help of the wikipedia search tool and python interpreter tool. Given a question, you need to first think about the reasoning process in the mind and then provide the answer. During thinking, you can invoke the wikipedia search tool to search and python interpreter tool to calculate the math problem for fact information about specific topics if needed. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags respectively, and the search query and result are enclosed within <search> </search> and <result> </result> tags respectively. For example, <think> This is the reasoning process. </think> <search> search query here </search> <result> search result here </result> <think> This is the reasoning process. </think> <python> python code here </python> <result> python interpreter result here </result> <think> This is the reasoning process. </think> <answer> The final answer is \\[ \\boxed{answer here} \\] </answer>. In the last part of the answer, the final exact answer is enclosed within \\boxed{} with latex format.';

/** A short system prompt for tiny models trained from scratch (every prompt token costs context and compute). */
export const COMPACT_SYSTEM_PROMPT = 'Use <search> and <python> if needed. Answer in \\boxed{}.';

export type PromptFormatName = 'reference' | 'compact';

/** How prompts are rendered and how a final answer is written. */
export interface PromptFormat {
  readonly name: string;
  /** The system message. */
  readonly system: string;
  /** The prompt text for a question (a plain-text layout without a chat template). */
  render(question: string): string;
  /** The `<answer>…</answer>` block for a final answer (already including any leading space in the box). */
  answer(boxedContent: string): string;
}

/**
 * - `reference`: the reference system prompt; text layout `{system}\n\nQuestion: {question}\n`; answers
 *   `<answer> The final answer is \[ \boxed{…} \] </answer>` (the prompt's own example).
 * - `compact`: {@link COMPACT_SYSTEM_PROMPT}; `{system}\nQuestion: {question}\n`; answers `<answer> \boxed{…} </answer>`.
 */
export const PROMPT_FORMATS: Readonly<Record<PromptFormatName, PromptFormat>> = {
  reference: {
    name: 'reference',
    system: REFERENCE_SYSTEM_PROMPT,
    render: (question) => `${REFERENCE_SYSTEM_PROMPT}\n\nQuestion: ${question}\n`,
    answer: (boxed) => `<answer> The final answer is \\[ \\boxed{${boxed}} \\] </answer>`,
  },
  compact: {
    name: 'compact',
    system: COMPACT_SYSTEM_PROMPT,
    render: (question) => `${COMPACT_SYSTEM_PROMPT}\nQuestion: ${question}\n`,
    answer: (boxed) => `<answer> \\boxed{${boxed}} </answer>`,
  },
};

/** Resolves a format name (or passes a custom {@link PromptFormat} through). */
export function promptFormat(format: PromptFormatName | PromptFormat = 'reference'): PromptFormat {
  if (typeof format === 'object' && format !== null) return format;
  const found = (PROMPT_FORMATS as Record<string, PromptFormat | undefined>)[format];
  if (!found) {
    throw new ArpoConfigError('prompt format', [{ field: 'format', value: format, expected: 'one of "reference", "compact" or a PromptFormat object' }]);
  }
  return found;
}

/** The prompt text of an example (or a bare question) in a format. */
export function renderPrompt(example: { question: string } | string, format: PromptFormatName | PromptFormat = 'reference'): string {
  return promptFormat(format).render(typeof example === 'string' ? example : example.question);
}

/** Chat messages (system + user question) for tokenizers with a chat template, as in the reference's rows. */
export function promptMessages(
  example: { question: string } | string,
  format: PromptFormatName | PromptFormat = 'reference',
): Array<{ role: 'system' | 'user'; content: string }> {
  const f = promptFormat(format);
  return [
    { role: 'system', content: f.system },
    { role: 'user', content: typeof example === 'string' ? example : example.question },
  ];
}
