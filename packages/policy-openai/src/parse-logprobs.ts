import type { TokenLogprob, Tokenizer } from '@arpo/core';
import { OpenAIServerError } from './server-error.js';
import { parseTokenIdString } from './token-id-string.js';
import type { ChoiceLogprobs, CompletionChoice, ContentTopLogprob } from './wire-types.js';

/** What {@link parseTokens} and {@link parseLogprobs} need besides the choice. */
export interface ParseContext {
  /** Base URL of the server that answered (named in errors). */
  url: string;
  /** The policy's tokenizer: maps token strings to ids when the server gives no ids. */
  tokenizer: Tokenizer;
  /** Top log-probs per position that were asked for (0 = none). */
  topLogprobs: number;
  /** Stop strings of the request. */
  stop: readonly string[];
  /** Ids that end generation (finish reason `eos`); default the tokenizer's EOS. */
  eosTokenIds?: ReadonlySet<number>;
}

/** The per-position data of one choice. */
export interface ParsedLogprobs {
  tokens: number[];
  logprobs: number[];
  /** Top-k candidates per position, most likely first, exactly the k asked for (or fewer when the server had fewer). */
  topLogprobs?: TokenLogprob[][];
}

/**
 * Token ids of a choice, from the most exact source the server gave: `token_ids` / a numeric `tokens` array,
 * then `token_id:<id>` strings (vLLM `return_tokens_as_token_ids`), then chat-style `content[].id`
 * (llama.cpp), then token strings that the tokenizer maps to exactly one id each.
 */
export function parseTokens(choice: CompletionChoice, index: number, ctx: ParseContext): number[] {
  const direct = choice.token_ids ?? (Array.isArray(choice.tokens) ? choice.tokens : undefined);
  if (direct !== undefined) {
    if (!direct.every((id) => Number.isInteger(id) && id >= 0)) throw malformed(ctx, `choices[${index}].token_ids has a value that is not a token id`);
    return [...direct];
  }
  const lp = choice.logprobs;
  if (lp?.tokens) return lp.tokens.map((t, j) => tokenFromString(t, `choices[${index}].logprobs.tokens[${j}]`, ctx));
  if (lp?.content) {
    return lp.content.map((c, j) => (typeof c.id === 'number' ? c.id : tokenFromString(c.token ?? '', `choices[${index}].logprobs.content[${j}].token`, ctx)));
  }
  throw noLogprobs(ctx, `choices[${index}] has neither token_ids nor logprobs.tokens`);
}

/** Log-probs (and top-k candidates when asked) aligned with `tokens`. */
export function parseLogprobs(choice: CompletionChoice, index: number, tokens: readonly number[], ctx: ParseContext): ParsedLogprobs {
  const lp = choice.logprobs;
  if (!lp || typeof lp !== 'object') {
    throw noLogprobs(ctx, `choices[${index}].logprobs is ${lp === null ? 'null' : 'missing'}`);
  }
  const where = `choices[${index}].logprobs`;
  const sampled = lp.token_logprobs ?? lp.content?.map((c) => c.logprob);
  if (!Array.isArray(sampled)) throw noLogprobs(ctx, `${where} has neither token_logprobs nor content`);
  if (sampled.length !== tokens.length) {
    throw malformed(ctx, `${where} has ${sampled.length} log-probs for ${tokens.length} tokens (expected one per token)`);
  }
  const logprobs = sampled.map((v, j) => logprobValue(v, `${where}.token_logprobs[${j}]`, ctx));
  const out: ParsedLogprobs = { tokens: [...tokens], logprobs };
  if (ctx.topLogprobs > 0) out.topLogprobs = parseTop(lp, where, tokens.length, ctx);
  return out;
}

function parseTop(lp: ChoiceLogprobs, where: string, positions: number, ctx: ParseContext): TokenLogprob[][] {
  let perPosition: TokenLogprob[][];
  if (Array.isArray(lp.top_logprobs)) {
    perPosition = lp.top_logprobs.map((entry, j) => {
      if (entry === null || entry === undefined) return [];
      if (typeof entry !== 'object') throw malformed(ctx, `${where}.top_logprobs[${j}] is not an object of token → log-prob`);
      return Object.entries(entry).map(([key, value]) => ({
        token: tokenFromString(key, `${where}.top_logprobs[${j}] key ${JSON.stringify(key)}`, ctx),
        logprob: logprobValue(value, `${where}.top_logprobs[${j}][${JSON.stringify(key)}]`, ctx),
      }));
    });
  } else if (lp.content && lp.content.some((c) => Array.isArray(c.top_logprobs))) {
    perPosition = lp.content.map((c, j) => (c.top_logprobs ?? []).map((t, i) => candidate(t, `${where}.content[${j}].top_logprobs[${i}]`, ctx)));
  } else {
    throw noLogprobs(ctx, `${where} has no top_logprobs (asked for ${ctx.topLogprobs} per position)`);
  }
  if (perPosition.length !== positions) {
    throw malformed(ctx, `${where}.top_logprobs has ${perPosition.length} positions for ${positions} tokens (expected one per token)`);
  }
  // Most likely first; a stable sort keeps the server's order among ties, so vLLM's extra sampled token
  // (appended after the top k) is the one cut.
  return perPosition.map((c) => [...c].sort((a, b) => b.logprob - a.logprob).slice(0, ctx.topLogprobs));
}

function candidate(t: ContentTopLogprob, where: string, ctx: ParseContext): TokenLogprob {
  const token = typeof t.id === 'number' ? t.id : tokenFromString(t.token ?? '', `${where}.token`, ctx);
  return { token, logprob: logprobValue(t.logprob, `${where}.logprob`, ctx) };
}

/** `null` (how JSON writes −∞) → −∞; NaN, +∞ and non-numbers are malformed. */
function logprobValue(value: unknown, where: string, ctx: ParseContext): number {
  if (value === null) return -Infinity;
  if (typeof value !== 'number' || Number.isNaN(value) || value > 1e-6) {
    throw malformed(ctx, `${where} = ${JSON.stringify(value)} (expected a log-prob <= 0)`);
  }
  return Math.min(value, 0);
}

function tokenFromString(token: string, where: string, ctx: ParseContext): number {
  const id = parseTokenIdString(token);
  if (id !== undefined) return id;
  const ids = ctx.tokenizer.encode(token);
  if (ids.length !== 1) {
    throw malformed(
      ctx,
      `${where} is the token string ${JSON.stringify(token)}, which the tokenizer encodes to ${ids.length} ids (expected exact ids: ask the server for token ids, e.g. vLLM's return_tokens_as_token_ids / --return-tokens-as-token-ids)`,
    );
  }
  return ids[0]!;
}

function malformed(ctx: ParseContext, message: string): OpenAIServerError {
  return new OpenAIServerError(ctx.url, 'malformed', `malformed completion response: ${message}`);
}

function noLogprobs(ctx: ParseContext, message: string): OpenAIServerError {
  return new OpenAIServerError(
    ctx.url,
    'no-logprobs',
    `the server returned no log-probs: ${message}. ARPO needs per-token log-probs (request field "logprobs"); use a server with logprobs support (vLLM, SGLang, llama.cpp's server) and check its max-logprobs limit`,
  );
}
