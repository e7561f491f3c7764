import type { RolloutGroup, Tokenizer } from '@arpo/core';
import type { TaskExample } from '@arpo/tasks';
import type { Algorithm, SampledGroupFile, SampledSegment } from '../run-files.js';
import type { GroupScores } from './score-groups.js';

/** Decodes one scored rollout group into the report's tree-viewer file. */
export function sampledGroup(
  group: RolloutGroup,
  example: TaskExample,
  prompt: string,
  scores: GroupScores,
  scalarAdvantages: readonly number[],
  tokenizer: Tokenizer,
  step: number,
  algorithm: Algorithm,
): SampledGroupFile {
  return {
    formatVersion: 1,
    step,
    algorithm,
    promptId: group.promptId,
    question: example.question,
    gold: [...example.answers],
    prompt,
    trajectories: group.trajectories.map((t, i) => ({
      id: t.id,
      parentId: t.parentId,
      branchPoint: t.branchPoint,
      origin: t.origin,
      finishReason: t.finishReason,
      toolCalls: t.toolCalls,
      reward: scores.rewards[i]!,
      correct: scores.correct[i]!,
      advantage: scalarAdvantages[i] ?? 0,
      segments: t.segments.map((s): SampledSegment => {
        const text = tokenizer.decode(t.responseTokens.slice(s.start, s.end), { skipSpecialTokens: false });
        const tokens = s.end - s.start;
        if (s.kind === 'model') {
          return {
            kind: 'model',
            text,
            tokens,
            entropy: s.entropy ?? null,
            deltaH: s.deltaH ?? null,
            branch: s.branch ? { probability: s.branch.probability, attempts: s.branch.attempts, children: [...s.branch.children] } : null,
          };
        }
        if (s.kind === 'tool-result') return { kind: 'tool-result', text, tokens, tool: s.call.tool, status: s.call.status };
        return { kind: 'injected', text, tokens, reason: s.reason };
      }),
    })),
  };
}
