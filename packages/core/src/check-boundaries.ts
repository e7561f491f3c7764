import { ArpoConfigError, type FieldProblem } from './errors.js';
import type { Generation } from './policy.js';
import type { ToolCallRecord } from './tool-call.js';

const FINISH_REASONS = new Set(['eos', 'stop', 'length']);
const TOOL_STATUSES = new Set(['ok', 'error', 'empty', 'timeout']);
/** Log-probs a hair above 0 come from float32 rounding of a certain token; anything more is a bug. */
const LOGPROB_SLACK = 1e-4;

/** What a caller asked of `Policy.generate`, to check the answer against. */
export interface GenerationExpectation {
  /** Number of prefixes sent. */
  count: number;
  /** The tokenizer's vocabulary size: every token id must be below it. */
  vocabSize: number;
  /** New-token cap, one for all or one per prefix. */
  maxNewTokens: number | readonly number[];
  /** `topLogprobs` asked (> 0: each position must carry its candidates). */
  topLogprobs?: number;
}

/**
 * Checks what a {@link Policy} returned before anything uses it: one generation per prefix, token ids that are
 * integers below `vocabSize`, one finite log-prob ≤ 0 per token (and one entropy / top-k list per token where
 * present), a known finish reason, no more tokens than asked. Throws an {@link ArpoConfigError} naming every
 * bad field, e.g. `Invalid policy.generate result: generations[1].logprobs.length = 3 (expected 5, one per token)`.
 */
export function checkGenerations(generations: unknown, expect: GenerationExpectation, subject = 'policy.generate result'): asserts generations is Generation[] {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(generations) || generations.length !== expect.count) {
    const got = Array.isArray(generations) ? generations.length : generations;
    throw new ArpoConfigError(subject, [{ field: 'generations.length', value: got, expected: `${expect.count}, one generation per prefix` }]);
  }
  generations.forEach((g: unknown, i) => {
    const at = `generations[${i}]`;
    if (g === null || typeof g !== 'object') {
      problems.push({ field: at, value: g, expected: 'an object { tokens, logprobs, finishReason }' });
      return;
    }
    const gen = g as Partial<Generation>;
    if (!Array.isArray(gen.tokens)) {
      problems.push({ field: `${at}.tokens`, value: gen.tokens, expected: 'an array of token ids' });
      return;
    }
    const n = gen.tokens.length;
    const cap = typeof expect.maxNewTokens === 'number' ? expect.maxNewTokens : expect.maxNewTokens[i];
    if (cap !== undefined && n > cap) problems.push({ field: `${at}.tokens.length`, value: n, expected: `<= maxNewTokens = ${cap}` });
    const badToken = gen.tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= expect.vocabSize);
    if (badToken >= 0) {
      problems.push({ field: `${at}.tokens[${badToken}]`, value: gen.tokens[badToken], expected: `an integer id in [0, vocabSize = ${expect.vocabSize})` });
    }
    if (!Array.isArray(gen.logprobs) || gen.logprobs.length !== n) {
      problems.push({ field: `${at}.logprobs.length`, value: Array.isArray(gen.logprobs) ? gen.logprobs.length : gen.logprobs, expected: `${n}, one per token` });
    } else {
      const bad = gen.logprobs.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x > LOGPROB_SLACK);
      if (bad >= 0) problems.push({ field: `${at}.logprobs[${bad}]`, value: gen.logprobs[bad], expected: 'a finite log-probability <= 0' });
    }
    if (gen.entropies !== undefined) {
      if (!Array.isArray(gen.entropies) || gen.entropies.length !== n) {
        problems.push({ field: `${at}.entropies.length`, value: Array.isArray(gen.entropies) ? gen.entropies.length : gen.entropies, expected: `${n}, one per token` });
      } else {
        const bad = gen.entropies.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < -LOGPROB_SLACK);
        if (bad >= 0) problems.push({ field: `${at}.entropies[${bad}]`, value: gen.entropies[bad], expected: 'a finite entropy >= 0 (nats)' });
      }
    }
    if ((expect.topLogprobs ?? 0) > 0 && gen.topLogprobs !== undefined && (!Array.isArray(gen.topLogprobs) || gen.topLogprobs.length !== n)) {
      problems.push({ field: `${at}.topLogprobs.length`, value: Array.isArray(gen.topLogprobs) ? gen.topLogprobs.length : gen.topLogprobs, expected: `${n}, one list per token` });
    }
    if (!FINISH_REASONS.has(gen.finishReason as string)) {
      problems.push({ field: `${at}.finishReason`, value: gen.finishReason, expected: "'eos', 'stop' or 'length'" });
    }
  });
  if (problems.length > 0) throw new ArpoConfigError(subject, problems);
}

/**
 * Checks what a {@link ToolExecutor} returned for a round: one record per call, in order, each with a text output
 * and a known status. Throws an {@link ArpoConfigError} naming the bad field, e.g.
 * `Invalid tools.executeAll result: records.length = 0 (expected 3, one per call)`.
 */
export function checkToolRecords(
  records: unknown,
  calls: readonly { tool: string }[],
  subject = 'tools.executeAll result',
): asserts records is ToolCallRecord[] {
  if (!Array.isArray(records) || records.length !== calls.length) {
    const got = Array.isArray(records) ? records.length : records;
    throw new ArpoConfigError(subject, [{ field: 'records.length', value: got, expected: `${calls.length}, one per call` }]);
  }
  const problems: FieldProblem[] = [];
  records.forEach((r: unknown, i) => {
    const at = `records[${i}]`;
    if (r === null || typeof r !== 'object') {
      problems.push({ field: at, value: r, expected: 'a tool call record { tool, input, output, status, ... }' });
      return;
    }
    const rec = r as Partial<ToolCallRecord>;
    if (rec.tool !== calls[i]!.tool) problems.push({ field: `${at}.tool`, value: rec.tool, expected: `'${calls[i]!.tool}' (the call's tool, in call order)` });
    if (typeof rec.output !== 'string') problems.push({ field: `${at}.output`, value: rec.output, expected: 'a string' });
    if (!TOOL_STATUSES.has(rec.status as string)) problems.push({ field: `${at}.status`, value: rec.status, expected: "'ok', 'error', 'empty' or 'timeout'" });
  });
  if (problems.length > 0) throw new ArpoConfigError(subject, problems);
}
