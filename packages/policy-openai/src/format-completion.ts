import type { Generation, Tokenizer } from '@arpo/core';
import type { CompletionJob } from './completion-job.js';
import { formatTokenIdString } from './token-id-string.js';
import type { CompletionChoice, CompletionResponse, LegacyLogprobs } from './wire-types.js';

/**
 * The `/v1/completions` response for a job's generations, in vLLM's shape: `text` (without a matched stop string
 * unless `include_stop_str_in_output` asked for it), `finish_reason` (`stop` for
 * EOS and stop strings, `length`), `stop_reason` (the stop string, `null` for EOS), legacy `logprobs` (tokens,
 * token_logprobs, top_logprobs with the sampled token added when it is not among the top k, as vLLM does,
 * text_offset) and the exact `token_ids`; `entropies` when `arpo_return_entropy` asked for them.
 */
export function formatCompletion(
  job: CompletionJob,
  generations: readonly Generation[],
  meta: { id: string; model: string; created: number; tokenizer: Tokenizer },
): CompletionResponse {
  const { tokenizer } = meta;
  const choices = generations.map((g, index): CompletionChoice => {
    let text = tokenizer.decode(g.tokens, { skipSpecialTokens: job.skipSpecialTokens });
    if (g.finishReason === 'stop' && g.stopString !== undefined && !job.includeStopString && text.endsWith(g.stopString)) {
      text = text.slice(0, text.length - g.stopString.length);
    }
    const choice: CompletionChoice = {
      index,
      text,
      logprobs: job.logprobs === null ? null : legacyLogprobs(g, job, tokenizer),
      finish_reason: g.finishReason === 'length' ? 'length' : 'stop',
      stop_reason: g.finishReason === 'stop' ? (g.stopString ?? null) : null,
      token_ids: g.tokens,
    };
    if (job.returnEntropy && g.entropies) choice.entropies = g.entropies;
    return choice;
  });
  const promptTokens = job.prompts.reduce((a, p) => a + p.length, 0);
  const completionTokens = generations.reduce((a, g) => a + g.tokens.length, 0);
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices,
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

function legacyLogprobs(g: Generation, job: CompletionJob, tokenizer: Tokenizer): LegacyLogprobs {
  const name = (id: number) => (job.tokenIdStrings ? formatTokenIdString(id) : tokenizer.decode([id]));
  const tokens = g.tokens.map(name);
  const textOffset: number[] = [];
  let offset = 0;
  for (const t of g.tokens) {
    textOffset.push(offset);
    offset += tokenizer.decode([t], { skipSpecialTokens: job.skipSpecialTokens }).length;
  }
  const k = job.logprobs ?? 0;
  const top = g.tokens.map((token, j) => {
    const entry: Record<string, number> = {};
    for (const c of (g.topLogprobs?.[j] ?? []).slice(0, k)) {
      const key = name(c.token);
      if (!(key in entry)) entry[key] = c.logprob;
    }
    const key = name(token);
    if (!(key in entry)) entry[key] = g.logprobs[j]!;
    return entry;
  });
  return { tokens, token_logprobs: g.logprobs, top_logprobs: top, text_offset: textOffset };
}
