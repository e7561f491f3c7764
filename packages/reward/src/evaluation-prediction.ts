import { lastBoxedContent } from './boxed.js';

/**
 * The evaluation-time prediction (spec §7.4): the content of the LAST `<answer>…</answer>`, narrowed to the
 * inner text of its last `\boxed{}` when there is one; with no (non-empty) answer, the last 5 lines of the
 * output (blank-line runs collapsed first). Trimmed. Unlike `extractAnswer` it never fails.
 */
export function evaluationPrediction(response: string): string {
  const answers = [...response.matchAll(/<answer>([\s\S]*?)<\/answer>/g)];
  const last = answers.at(-1)?.[1];
  if (last !== undefined) {
    const prediction = (lastBoxedContent(last) ?? last).trim();
    if (prediction !== '') return prediction;
  }
  return response.replaceAll('\n\n', '\n').trim().split('\n').slice(-5).join('\n');
}
