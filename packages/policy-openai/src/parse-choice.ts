import type { Generation, GenerationFinishReason } from '@arpo/core';
import { parseLogprobs, parseTokens, type ParseContext } from './parse-logprobs.js';
import { OpenAIServerError } from './server-error.js';
import type { CompletionChoice, CompletionResponse } from './wire-types.js';

/**
 * One choice of a completions response → a `Generation` of the `Policy` contract: exact token ids, the
 * sampled tokens' log-probs, the top-k candidates (most likely first, exactly k), the finish reason
 * (`stop` + the stop string when a stop string ended it, `eos` when EOS or a stop token did, `length`) and,
 * from this package's server, full-distribution entropies.
 */
export function parseChoice(choice: CompletionChoice, index: number, ctx: ParseContext): Generation {
  if (choice === null || typeof choice !== 'object') throw malformed(ctx, `choices[${index}] is not an object`);
  const tokens = parseTokens(choice, index, ctx);
  const parsed = parseLogprobs(choice, index, tokens, ctx);
  const gen: Generation = { tokens: parsed.tokens, logprobs: parsed.logprobs, finishReason: 'length' };
  if (parsed.topLogprobs) gen.topLogprobs = parsed.topLogprobs;
  if (Array.isArray(choice.entropies)) {
    if (choice.entropies.length !== tokens.length) {
      throw malformed(ctx, `choices[${index}].entropies has ${choice.entropies.length} values for ${tokens.length} tokens`);
    }
    gen.entropies = [...choice.entropies];
  }
  const finish = finishOf(choice, index, tokens, ctx);
  gen.finishReason = finish.reason;
  if (finish.stopString !== undefined) gen.stopString = finish.stopString;
  return gen;
}

/**
 * All choices of a response, ordered by `index`. `expected` is the number of choices asked for (prompts × n);
 * fewer or more is malformed.
 */
export function parseCompletionResponse(body: unknown, expected: number, ctx: ParseContext): Generation[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw malformed(ctx, 'the body is not a JSON object');
  const choices = (body as CompletionResponse).choices;
  if (!Array.isArray(choices)) throw malformed(ctx, 'the body has no "choices" array');
  if (choices.length !== expected) throw malformed(ctx, `${choices.length} choices for ${expected} asked`);
  const order = choices.map((c, i) => ({ c, i, at: typeof c?.index === 'number' ? c.index : i }));
  order.sort((a, b) => a.at - b.at);
  return order.map(({ c, i }) => parseChoice(c, i, ctx));
}

function finishOf(choice: CompletionChoice, index: number, tokens: readonly number[], ctx: ParseContext): { reason: GenerationFinishReason; stopString?: string } {
  const reason = choice.finish_reason;
  if (reason === 'length') return { reason: 'length' };
  if (reason === 'abort') {
    throw new OpenAIServerError(ctx.url, 'malformed', `choices[${index}] was aborted by the server (finish_reason "abort")`, undefined, true);
  }
  if (reason !== 'stop' && reason !== 'eos') {
    throw malformed(ctx, `choices[${index}].finish_reason = ${JSON.stringify(reason)} (expected "stop" or "length")`);
  }
  const matched = choice.stop_reason ?? choice.matched_stop;
  if (typeof matched === 'number') return { reason: 'eos' }; // a stop token id (vLLM / SGLang report EOS this way too)
  const eos = ctx.eosTokenIds ?? new Set([ctx.tokenizer.eosTokenId]);
  if (typeof matched === 'string') {
    const text = ctx.tokenizer.decode(tokens);
    if (!text.includes(matched)) {
      throw malformed(
        ctx,
        `choices[${index}] stopped at ${JSON.stringify(matched)} but its tokens do not contain it: the server trimmed the stop string (vLLM: include_stop_str_in_output; SGLang: no_stop_trim)`,
      );
    }
    return { reason: 'stop', stopString: matched };
  }
  const last = tokens[tokens.length - 1];
  if (last !== undefined && eos.has(last)) return { reason: 'eos' };
  // No stop_reason (llama.cpp, older servers): the stop string that ends the text, else EOS.
  const tail = ctx.tokenizer.decode(tokens.slice(-Math.max(8, 4 * longest(ctx.stop) + 8)));
  let best: string | undefined;
  let bestAt = -1;
  for (const s of ctx.stop) {
    const at = s.length > 0 ? tail.lastIndexOf(s) : -1;
    if (at >= 0 && at + s.length > bestAt) {
      best = s;
      bestAt = at + s.length;
    }
  }
  return best !== undefined ? { reason: 'stop', stopString: best } : { reason: 'eos' };
}

function longest(stop: readonly string[]): number {
  return stop.reduce((a, s) => Math.max(a, s.length), 0);
}

function malformed(ctx: ParseContext, message: string): OpenAIServerError {
  return new OpenAIServerError(ctx.url, 'malformed', `malformed completion response: ${message}`);
}
