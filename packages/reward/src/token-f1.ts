import { goldList, type Golds } from './golds.js';
import { answerTokens, normalizeAnswer, type NormalizeOptions } from './normalize-answer.js';

/** Normalised answers that only match themselves: a prediction or gold equal to one of these scores 0 against anything else. */
const CLOSED_ANSWERS: ReadonlySet<string> = new Set(['yes', 'no', 'noanswer']);

/**
 * Token-level F1 between a prediction and the gold answer(s), max over golds: the accuracy Acc of the
 * hierarchical reward (paper Eq. 8; reference `get_f1_score`). Both sides are normalised with
 * {@link normalizeAnswer}; if either normalises to `yes`, `no` or `noanswer` and they differ, that gold scores 0.
 * Over bags of whitespace tokens with c common tokens, P = c/|pred|, R = c/|gold| and
 * F1 = 2PR/(P+R) = 2c/(|pred|+|gold|) (computed in the second form). 0 for no golds.
 */
export function tokenF1(prediction: string, golds: Golds, options: NormalizeOptions = {}): number {
  const pred = normalizeAnswer(prediction, options);
  const predTokens = answerTokens(pred);
  let best = 0;
  for (const gold of goldList(golds)) {
    const norm = normalizeAnswer(gold, options);
    if ((CLOSED_ANSWERS.has(pred) || CLOSED_ANSWERS.has(norm)) && pred !== norm) continue;
    const goldTokens = answerTokens(norm);
    const common = commonCount(predTokens, goldTokens);
    if (common === 0) continue;
    best = Math.max(best, (2 * common) / (predTokens.length + goldTokens.length));
  }
  return best;
}

/** Size of the multiset intersection (Python `sum((Counter(a) & Counter(b)).values())`). */
function commonCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of b) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      counts.set(t, left - 1);
      common += 1;
    }
  }
  return common;
}
