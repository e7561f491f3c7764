import { lastBoxedContent } from './boxed.js';

/** End-of-sequence strings stripped from the end of a response before extraction (Qwen, GPT-2/Qwen base, Llama 2). */
export const DEFAULT_EOS_TOKENS: readonly string[] = ['<|im_end|>', '<|endoftext|>', '</s>'];

/** Options of {@link extractAnswer}. */
export interface ExtractAnswerOptions {
  /** Strings removed once from the end of the response (the first that matches). Default {@link DEFAULT_EOS_TOKENS}. */
  eosTokens?: readonly string[];
}

/**
 * The training-time answer (reference `compute_score` steps before F1): strip one trailing EOS string, trim,
 * take the FIRST `<answer>…</answer>` (across newlines), then the inner text of its LAST `\boxed{…}`
 * (brace-matched; see {@link lastBoxedContent}). Returns null when any step fails, which the hierarchical
 * reward scores as the format penalty (−1).
 */
export function extractAnswer(response: string, options: ExtractAnswerOptions = {}): string | null {
  const text = stripEos(response, options.eosTokens ?? DEFAULT_EOS_TOKENS).trim();
  const match = /<answer>([\s\S]*?)<\/answer>/.exec(text);
  const span = match?.[1];
  if (span === undefined) return null;
  return lastBoxedContent(span);
}

/** Removes the first of `eosTokens` that `text` ends with, once. */
export function stripEos(text: string, eosTokens: readonly string[] = DEFAULT_EOS_TOKENS): string {
  for (const eos of eosTokens) {
    if (eos !== '' && text.endsWith(eos)) return text.slice(0, -eos.length);
  }
  return text;
}
