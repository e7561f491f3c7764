import { parseRewardConfig, type RewardConfigInput, type RewardOutput } from '@arpo/core';
import { exactMatch } from './exact-match.js';
import { extractAnswer, type ExtractAnswerOptions } from './extract-answer.js';
import type { Golds } from './golds.js';
import { tokenF1 } from './token-f1.js';
import { validateFormat, type FormatRule } from './validate-format.js';

/** Options of {@link hierarchicalReward}: `RewardConfig`'s fields (defaults from its schema) and answer extraction. */
export interface HierarchicalRewardOptions extends ExtractAnswerOptions, RewardConfigInput {}

/** Why the format penalty applied: a {@link FormatRule}, or `answer-extraction` when no `\boxed{}` answer could be taken. */
export type RewardFailure = FormatRule | 'answer-extraction';

/**
 * The hierarchical reward of paper Eq. 8, with the reference `deep_research.py::compute_score` semantics:
 * - format bad ({@link validateFormat}) or no answer ({@link extractAnswer}): R = `formatPenalty` (−1);
 * - Acc = token F1 ({@link tokenF1}, max over golds) > 0: R = Acc + r_M when the response contains `</tag>` of
 *   every tool of `tools` (reference: `</search>` and `</python>`; r_M = `multiToolBonus`, 0.1), else R = Acc;
 * - Acc = 0: R = 0 (no bonus).
 *
 * Math answers are scored by F1 too (no math equivalence in training). `components` holds `f1`, `em` and the
 * `multiToolBonus` actually added; `formatError` names the failed rule.
 */
export function hierarchicalReward(
  response: string,
  groundTruth: Golds,
  options: HierarchicalRewardOptions = {},
): RewardOutput {
  const { multiToolBonus: bonus, formatPenalty: penalty, tools } = parseRewardConfig({
    multiToolBonus: options.multiToolBonus,
    formatPenalty: options.formatPenalty,
    tools: options.tools,
  });

  const format = validateFormat(response, tools);
  if (!format.ok) return penalized(penalty, format.rule);
  const answer = extractAnswer(response, options);
  if (answer === null) return penalized(penalty, 'answer-extraction');

  const f1 = tokenF1(answer, groundTruth);
  const em = exactMatch(answer, groundTruth);
  if (f1 <= 0) return { reward: 0, components: { f1, em, multiToolBonus: 0 } };
  const usedAll = tools.every((tool) => response.includes(`</${tool}>`));
  const applied = usedAll ? bonus : 0;
  return { reward: f1 + applied, components: { f1, em, multiToolBonus: applied } };
}

function penalized(reward: number, rule: RewardFailure): RewardOutput {
  return { reward, components: { f1: 0, em: 0, multiToolBonus: 0 }, formatError: rule };
}
