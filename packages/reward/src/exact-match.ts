import { goldList, type Golds } from './golds.js';
import { normalizeAnswer, type NormalizeOptions } from './normalize-answer.js';

/**
 * Exact match after {@link normalizeAnswer}: 1 when the prediction equals any gold, else 0 (reference
 * `get_em_score`). Logged beside F1; not part of the training reward.
 */
export function exactMatch(prediction: string, golds: Golds, options: NormalizeOptions = {}): 0 | 1 {
  const pred = normalizeAnswer(prediction, options);
  return goldList(golds).some((gold) => normalizeAnswer(gold, options) === pred) ? 1 : 0;
}
