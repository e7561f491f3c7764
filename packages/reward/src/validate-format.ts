/** Identifiers of the reference format rules (spec §4 "Format check"), in the order they are checked. */
export type FormatRule = 'think-tags' | 'answer-count' | 'tool-result-order' | 'answer-order' | 'answer-boxed';

/** Outcome of {@link validateFormat}: the first rule that failed, if any. */
export type FormatCheck = { ok: true } | { ok: false; rule: FormatRule; message: string };

/** The reference's tool tags, whose calls must each be followed by a `<result>` block, checked in this order. */
const REFERENCE_TOOL_TAGS = ['search', 'python'] as const;

/**
 * The reference format check (`deep_research.py::validate_format`), the gate of the hierarchical reward
 * (paper Eq. 8: a bad format gives R = −1). Checks, in order, and reports the first failure:
 * - `think-tags`: `<think>` and `</think>` counts differ, or there are none;
 * - `answer-count`: `<answer>` or `</answer>` does not occur exactly once;
 * - `tool-result-order`: a `<search>` (then a `<python>`, or each of `toolTags` in order) is not followed by
 *   `</search>` … `<result>` … `</result>` in that order (each later call is searched for after the previous
 *   `</result>`);
 * - `answer-order`: `<answer>` comes after `</answer>`;
 * - `answer-boxed`: the span from `<answer>` to `</answer>` lacks `\boxed{` or `}`.
 *
 * It runs on the raw decoded response, tool results included, like the reference.
 */
export function validateFormat(response: string, toolTags: readonly string[] = REFERENCE_TOOL_TAGS): FormatCheck {
  const thinkOpen = count(response, '<think>');
  const thinkClose = count(response, '</think>');
  if (thinkOpen !== thinkClose) {
    return fail('think-tags', `<think> (${thinkOpen}) and </think> (${thinkClose}) are not paired`);
  }
  if (thinkOpen === 0) return fail('think-tags', 'no <think> … </think> block');

  const answerOpen = count(response, '<answer>');
  const answerClose = count(response, '</answer>');
  if (answerOpen !== 1 || answerClose !== 1) {
    return fail('answer-count', `<answer> occurs ${answerOpen} times and </answer> ${answerClose} times; expected exactly 1 each`);
  }

  for (const tag of toolTags) {
    const problem = toolResultProblem(response, tag);
    if (problem !== undefined) return fail('tool-result-order', problem);
  }

  const answerStart = response.indexOf('<answer>');
  const answerEnd = response.indexOf('</answer>');
  if (answerStart > answerEnd) return fail('answer-order', '<answer> must come before </answer>');

  const span = response.slice(answerStart, answerEnd);
  if (!span.includes('\\boxed{') || !span.includes('}')) {
    return fail('answer-boxed', 'the answer lacks \\boxed{…}');
  }
  return { ok: true };
}

/** Walks `<tag>` occurrences; each needs `</tag>` < `<result>` < `</result>` after it (reference order check). */
function toolResultProblem(text: string, tag: string): string | undefined {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  let from = 0;
  for (;;) {
    const start = text.indexOf(open, from);
    if (start === -1) return undefined;
    const end = text.indexOf(close, start);
    const result = text.indexOf('<result>', start);
    const resultEnd = result === -1 ? -1 : text.indexOf('</result>', result);
    if (end === -1 || result === -1 || resultEnd === -1) return `${tag}/result tags are incomplete`;
    if (!(start < end && end < result && result < resultEnd)) return `${tag}/result tags are in the wrong order`;
    from = resultEnd;
  }
}

/** Non-overlapping occurrences of `needle` (Python's `str.count`). */
function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n += 1;
  return n;
}

function fail(rule: FormatRule, message: string): FormatCheck {
  return { ok: false, rule, message };
}
