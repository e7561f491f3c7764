import type { Tokenizer } from '@arpo/core';
import type { CompletionJob } from './completion-job.js';
import { RequestError } from './request-error.js';

/** What the server checks requests against. */
export interface RequestLimits {
  /** The served model name; a different `model` is a 404 (as in vLLM). */
  modelName: string;
  /** The policy's tokenizer (text prompts are encoded with it; ids must be < its vocabSize). */
  tokenizer: Tokenizer;
  /** Highest `logprobs` accepted. */
  maxLogprobs: number;
  /** Highest `n` accepted. */
  maxN: number;
}

/**
 * Validates a `/v1/completions` body (OpenAI defaults: `max_tokens` 16, `temperature` 1, `top_p` 1, `n` 1)
 * into a {@link CompletionJob}. Throws {@link RequestError} naming the parameter for anything invalid or
 * unsupported (`stream`, `echo`, `best_of` other than n, `suffix`, penalties, `min_p`, `logit_bias`).
 */
export function parseCompletionRequest(body: unknown, limits: RequestLimits): CompletionJob {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestError(400, 'the request body must be a JSON object', null);
  const b = body as Record<string, unknown>;
  if (b['model'] !== undefined && b['model'] !== limits.modelName) {
    throw new RequestError(404, `The model \`${String(b['model'])}\` does not exist (this server serves \`${limits.modelName}\`).`, 'model', 'NotFoundError');
  }
  if (b['stream'] === true) throw new RequestError(400, 'stream = true is not supported by this server', 'stream');
  if (b['echo'] === true) throw new RequestError(400, 'echo = true is not supported by this server', 'echo');
  if (b['suffix'] !== undefined && b['suffix'] !== null) throw new RequestError(400, 'suffix is not supported by this server', 'suffix');
  for (const [key, neutral] of NEUTRAL_SAMPLING) {
    const v = b[key];
    if (v !== undefined && v !== null && JSON.stringify(v) !== JSON.stringify(neutral)) {
      throw new RequestError(400, `${key} = ${JSON.stringify(v)} is not supported by this server (expected ${JSON.stringify(neutral)} or absent)`, key);
    }
  }
  const n = int(b, 'n', 1, 1, limits.maxN);
  if (b['best_of'] !== undefined && b['best_of'] !== null && b['best_of'] !== n) throw new RequestError(400, 'best_of other than n is not supported', 'best_of');
  const prompts = promptIds(b['prompt'], limits.tokenizer);
  const logprobs = logprobCount(b, limits.maxLogprobs);
  const temperature = num(b, 'temperature', 1, 0, Infinity);
  const topP = num(b, 'top_p', 1, Number.MIN_VALUE, 1);
  const rawTopK = b['top_k'] === undefined || b['top_k'] === null ? 0 : int(b, 'top_k', 0, -1, Number.MAX_SAFE_INTEGER);
  const job: CompletionJob = {
    prompts,
    n,
    maxTokens: int(b, 'max_tokens', 16, 0, Number.MAX_SAFE_INTEGER),
    sampling: { temperature, topP, topK: rawTopK < 0 ? 0 : rawTopK },
    stop: stopStrings(b['stop']),
    logprobs,
    tokenIdStrings: bool(b, 'return_tokens_as_token_ids', false),
    skipSpecialTokens: bool(b, 'skip_special_tokens', true),
    returnEntropy: bool(b, 'arpo_return_entropy', false),
    includeStopString: bool(b, 'include_stop_str_in_output', false) || bool(b, 'no_stop_trim', false),
  };
  const seed = b['seed'] === undefined || b['seed'] === null ? undefined : int(b, 'seed', 0, -(2 ** 53), 2 ** 53) >>> 0;
  if (b['arpo_batch_seed'] !== undefined && b['arpo_batch_seed'] !== null) {
    const batch = int(b, 'arpo_batch_seed', 0, 0, 2 ** 32 - 1);
    job.seed = { batch, row: int(b, 'arpo_batch_row', 0, 0, 65_535), own: seed ?? batch, peers: int(b, 'arpo_batch_peers', 1, 1, 65_536) };
  } else if (seed !== undefined) {
    job.seed = { batch: seed, row: 0, own: seed, peers: 1 };
  }
  return job;
}

/** Sampling fields the served policy cannot apply: accepted only at their neutral value. */
const NEUTRAL_SAMPLING: [string, unknown][] = [
  ['repetition_penalty', 1],
  ['presence_penalty', 0],
  ['frequency_penalty', 0],
  ['min_p', 0],
  ['logit_bias', {}],
];

function promptIds(prompt: unknown, tokenizer: Tokenizer): number[][] {
  const bad = () => new RequestError(400, 'prompt must be a string, an array of strings, an array of token ids or an array of token-id arrays', 'prompt');
  let prompts: number[][];
  if (typeof prompt === 'string') prompts = [tokenizer.encode(prompt)];
  else if (!Array.isArray(prompt) || prompt.length === 0) throw bad();
  else if (prompt.every((p) => typeof p === 'number')) prompts = [prompt as number[]];
  else if (prompt.every((p) => typeof p === 'string')) prompts = (prompt as string[]).map((p) => tokenizer.encode(p));
  else if (prompt.every((p) => Array.isArray(p) && p.every((id) => typeof id === 'number'))) prompts = (prompt as number[][]).map((p) => [...p]);
  else throw bad();
  prompts.forEach((ids, i) => {
    if (ids.length === 0) throw new RequestError(400, `prompt ${i} is empty (expected at least one token)`, 'prompt');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
        throw new RequestError(400, `prompt ${i} contains token id ${id} (expected an integer in [0, ${tokenizer.vocabSize}))`, 'prompt');
      }
    }
  });
  return prompts;
}

function logprobCount(b: Record<string, unknown>, max: number): number | null {
  const v = b['logprobs'];
  if (v === undefined || v === null || v === false) return null;
  const k = v === true ? (b['top_logprobs'] === undefined ? 0 : int(b, 'top_logprobs', 0, 0, max)) : int(b, 'logprobs', 0, 0, max);
  return k;
}

function stopStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.length ? [v] : [];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return (v as string[]).filter((s) => s.length > 0);
  throw new RequestError(400, 'stop must be a string or an array of strings', 'stop');
}

function int(b: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = b[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RequestError(400, `${key} = ${JSON.stringify(v)} (expected an integer in [${min}, ${max}])`, key);
  }
  return v;
}

function num(b: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = b[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new RequestError(400, `${key} = ${JSON.stringify(v)} (expected a number in [${min}, ${max}])`, key);
  return v;
}

function bool(b: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = b[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new RequestError(400, `${key} = ${JSON.stringify(v)} (expected true or false)`, key);
  return v;
}
