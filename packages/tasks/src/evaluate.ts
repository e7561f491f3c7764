import {
  ArpoConfigError,
  createRng,
  formatToolResult,
  parseConfig,
  parseToolCall,
  toolStopStrings,
  type Generation,
  type Policy,
  type ResultFormat,
  type ToolExecutor, ArpoError } from '@arpo/core';
import { evaluationPrediction, exactMatch, hierarchicalReward, mathEqual, normalizeAnswer, tokenF1, validateFormat } from '@arpo/reward';
import { z } from 'zod';
import { promptFormat, type PromptFormat, type PromptFormatName } from './prompts.js';
import type { Ability, TaskExample } from './schema.js';

/** Numeric options of {@link evaluate} (validated; reference defaults where the reference has one). */
export const EvaluateConfigSchema = z.strictObject({
  /** Sampled responses per example for pass@k (0: greedy pass@1 only). */
  samples: z.number().int().min(0).default(0),
  /** The k of pass@k, each ≤ `samples`. Default: 1 and `samples`. */
  k: z.array(z.number().int().min(1)).optional(),
  /** Sampling temperature of the sampled responses (paper: 0.6). Greedy responses use 0. */
  temperature: z.number().min(0).default(0.6),
  /** Nucleus mass of the sampled responses (paper: 0.95). */
  topP: z.number().gt(0).max(1).default(0.95),
  topK: z.number().int().min(0).default(0),
  /** New-token cap of one generation call (one segment up to a tool call or the answer). */
  maxNewTokens: z.number().int().min(1).default(512),
  /** Cap on the model tokens of a whole response (tool results not counted). */
  maxResponseTokens: z.number().int().min(1).default(4096),
  /** Calls allowed per tool (reference: python 5, search 10); later calls get the refusal text. */
  maxToolCalls: z.record(z.string(), z.number().int().min(0)).default({ python: 5, search: 10 }),
  /**
   * Tools whose repeated call with the same input gets the refusal text instead of running again (the reference
   * does this for its search tool).
   */
  dedupeTools: z.array(z.string().min(1)).default(['search']),
  /**
   * How results are written back: `training` (`" <result>\n…\n</result>"`, as rollouts and this package's
   * demonstrations write them; the default) or `evaluation` (`"<result>…</result>"`, the reference's evaluation loop).
   */
  resultFormat: z.enum(['training', 'evaluation']).default('training'),
  /** Sequences per `policy.generate` call. */
  batchSize: z.number().int().min(1).default(16),
  /** Seed of the sampled responses. */
  seed: z.number().int().safe().default(0),
  /** Relative tolerance of `mathEqual` for non-integer answers; integers are compared exactly. */
  mathRelTol: z.number().min(0).default(1e-6),
});
export type EvaluateConfig = z.output<typeof EvaluateConfigSchema>;

/** Progress of an evaluation, reported after each example. */
export interface EvaluationProgress {
  completed: number;
  total: number;
  row: EvaluationRow;
}

export interface EvaluateOptions extends z.input<typeof EvaluateConfigSchema> {
  /** Prompt format (default `reference`), or `renderPrompt` for full control. */
  format?: PromptFormatName | PromptFormat;
  renderPrompt?: (example: TaskExample) => string;
  onProgress?: (progress: EvaluationProgress) => void;
  signal?: AbortSignal;
  /**
   * More policies with the same weights (e.g. `ReplicaPool.lanePolicy(i)` of `@arpo/optimizer`, one per core): the
   * examples are split into contiguous parts, one per policy (the main policy first), evaluated concurrently. Only
   * used with `samples: 0`: greedy decoding does not depend on how the questions are split, sampling would.
   */
  lanes?: readonly Policy[];
}

/** Scores of one response. */
export interface ResponseScores {
  /** The evaluation prediction: last `<answer>`'s last `\boxed{}`, else the last 5 lines. */
  prediction: string;
  /** Math: integers equal, else `mathEqual`; QA: exact match. */
  correct: boolean;
  /** Token F1 / EM / acc (gold contained in the prediction) with the evaluation normaliser (punctuation kept), max over golds. */
  f1: number;
  em: number;
  acc: number;
  /** `mathEqual` against any gold (null for QA examples). */
  mathEqual: boolean | null;
  /** `validateFormat` passed. */
  formatValid: boolean;
  /** The failed format rule, when any. */
  formatError?: string;
  /** The training reward of the response (`hierarchicalReward`). */
  reward: number;
}

/** One evaluated example: its greedy response, scores and tool use, and the pass@k of its samples. */
export interface EvaluationRow extends ResponseScores {
  id: string;
  question: string;
  answers: string[];
  ability: Ability;
  response: string;
  /** Tool calls the model made, by tool (refused calls included). */
  toolCalls: Record<string, number>;
  /** Model tokens of the greedy response (tool results excluded). */
  tokens: number;
  /** `answer` (wrote `</answer>`), `eos`, `length` (token budget, or the next prefix would not fit the policy's `contextLength`), or `no-call` (stopped at a closing tag without a call). */
  finishReason: 'answer' | 'eos' | 'length' | 'no-call';
  /** Sampled responses: how many, how many correct, pass@k for each k. */
  samples?: { n: number; correct: number; passAtK: Record<string, number> };
}

/** Means over the evaluated examples. */
export interface EvaluationSummary {
  examples: number;
  /** Greedy pass@1: share of examples whose greedy response is correct. */
  passAt1: number;
  /** Sampled pass@k (unbiased estimator), when `samples` > 0. */
  passAtK: Record<string, number>;
  f1: number;
  em: number;
  acc: number;
  /** Share of math examples that are correct (null when there are none). */
  mathAccuracy: number | null;
  /** Mean F1 over QA examples (null when there are none). */
  qaF1: number | null;
  /** Share of greedy responses failing `validateFormat`. */
  formatErrorRate: number;
  meanReward: number;
  /** Mean tool calls per question, by tool and in total. */
  toolCallsPerQuestion: Record<string, number>;
  /** Mean model tokens per greedy response. */
  tokensPerAnswer: number;
  /** The same means per ability. */
  byAbility: Partial<Record<Ability, { examples: number; passAt1: number; f1: number; em: number; formatErrorRate: number }>>;
}

export interface EvaluationResult {
  rows: EvaluationRow[];
  summary: EvaluationSummary;
}

/** The refusal texts of the reference evaluation loop (spec §6.4). */
export const callLimitText = (tool: string): string =>
  `The maximum ${tool} call limit is exceeded. You are not allowed to use the ${tool} tool anymore.`;
export const REPEATED_SEARCH_TEXT = 'You have searched this query. Please refer to previous results.';

interface Job {
  example: number;
  sample: number; // -1: greedy
  seqId: string;
  ids: number[];
  response: string;
  /** Model text since the last tool result (the current segment). */
  sinceResult: string;
  /** Where the current segment starts: in `ids`, in `generated` and in `response`. */
  segment: { ids: number; generated: number; response: number };
  generated: number;
  calls: Record<string, number>;
  queries: Set<string>;
  finish?: EvaluationRow['finishReason'];
}

/**
 * Evaluates a policy with tools on examples: for each example one greedy response (temperature 0: pass@1) and
 * `samples` sampled ones (pass@k), generated in the reference evaluation loop's way (spec §6.4): generate up to a
 * tool's closing tag or `</answer>`; the output is cut at the first `<result>` the model writes and after the
 * first closing tag; the FIRST tool call of the new text is executed (evaluation semantics) and its result
 * appended; over the per-tool limit, or for a repeated search, the refusal text is the result. Sequences are
 * batched `batchSize` at a time, and a round's tool calls run concurrently through `tools.executeAll`.
 *
 * Scores use the evaluation prediction (`evaluationPrediction`) and normaliser (punctuation kept): token F1 / EM
 * for QA, and for math exact integer equality or `mathEqual`.
 */
export async function evaluate(
  policy: Policy,
  tools: ToolExecutor,
  examples: readonly TaskExample[],
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const { format, renderPrompt, onProgress, signal, lanes = [], ...numeric } = options;
  const config = parseConfig(EvaluateConfigSchema, numeric, 'evaluate options');
  const dedupe = new Set(config.dedupeTools);
  const ks = config.k ?? (config.samples > 0 ? [...new Set([1, config.samples])] : []);
  const tooLarge = ks.find((k) => k > config.samples);
  if (tooLarge !== undefined) {
    throw new ArpoConfigError('evaluate options', [
      { field: 'k', value: ks, expected: `values <= samples (${config.samples}); got ${tooLarge}` },
    ]);
  }
  const render = renderPrompt ?? ((e: TaskExample) => promptFormat(format).render(e.question));
  const tokenizer = policy.tokenizer;
  const toolNames = [...tools.toolNames];
  const closers = [...toolStopStrings(toolNames), '</answer>'];
  const rng = createRng(config.seed);
  // A trajectory whose prefix fills the context ends with `length` (scored as it stands) instead of failing the call.
  const contextLength = policy.contextLength ?? Number.POSITIVE_INFINITY;
  const fits = (j: Job): boolean => j.ids.length < contextLength;

  const jobs: Job[][] = examples.map((example, e) => {
    const prompt = tokenizer.encode(render(example));
    const make = (sample: number): Job => ({
      example: e,
      sample,
      seqId: `eval-${e}-${sample < 0 ? 'greedy' : sample}`,
      ids: [...prompt],
      response: '',
      sinceResult: '',
      segment: { ids: prompt.length, generated: 0, response: 0 },
      generated: 0,
      calls: {},
      queries: new Set(),
    });
    return [make(-1), ...Array.from({ length: config.samples }, (_, s) => make(s))];
  });
  const remaining = jobs.map((list) => list.length);
  const rows: Array<EvaluationRow | undefined> = new Array(examples.length);
  let completed = 0;

  /** The reference loop over the examples [from, to) on one policy. */
  const runPart = async (policy: Policy, from: number, to: number): Promise<void> => {
    const queue = jobs.slice(from, to).flat();
    const active: Job[] = [];
    const finishJob = async (job: Job) => {
      await policy.release?.(job.seqId);
      remaining[job.example]! -= 1;
      if (remaining[job.example] !== 0) return;
      const example = examples[job.example]!;
      const row = buildRow(example, jobs[job.example]!, ks, config);
      rows[job.example] = row;
      completed += 1;
      onProgress?.({ completed, total: examples.length, row });
    };

    while (queue.length > 0 || active.length > 0) {
      signal?.throwIfAborted();
      while (active.length < config.batchSize && queue.length > 0) active.push(queue.shift()!);
      for (let i = active.length - 1; i >= 0; i--) {
        const job = active[i]!;
        if (fits(job)) continue;
        job.finish = 'length';
        active.splice(i, 1);
        await finishJob(job);
      }
      if (active.length === 0) continue;
      const greedy = active.filter((j) => j.sample < 0);
      const sampled = active.filter((j) => j.sample >= 0);
      const generations = new Map<Job, Generation>();
      for (const [group, temperature] of [
        [greedy, 0],
        [sampled, config.temperature],
      ] as const) {
        if (group.length === 0) continue;
        const gens = await policy.generate({
          prefixes: group.map((j) => j.ids),
          sequenceIds: group.map((j) => j.seqId),
          maxNewTokens: group.map((j) => Math.max(1, Math.min(config.maxNewTokens, config.maxResponseTokens - j.generated, contextLength - j.ids.length))),
          stop: closers,
          sampling: temperature === 0 ? { temperature: 0, topP: 1, topK: 0 } : { temperature, topP: config.topP, topK: config.topK },
          seed: rng.nextUint32(),
          ...(signal ? { signal } : {}),
        });
        group.forEach((j, i) => {
          const g = gens[i];
          if (!g) throw new ArpoError(`policy.generate returned ${gens.length} generations for ${group.length} prefixes`);
          generations.set(j, g);
        });
      }

      const pending: Array<{ job: Job; tool: string; input: string }> = [];
      const immediate: Array<{ job: Job; text: string }> = [];
      for (const job of active) {
        const gen = generations.get(job)!;
        const text = tokenizer.decode(gen.tokens, { skipSpecialTokens: true });
        job.response += text;
        job.sinceResult += text;
        job.ids.push(...gen.tokens);
        job.generated += gen.tokens.length;
        // cut the segment (since the last result) before a <result> the model wrote / after its first closing tag
        const cut = cutPoint(job.sinceResult, closers);
        const wasCut = cut < job.sinceResult.length;
        if (wasCut) {
          job.sinceResult = job.sinceResult.slice(0, cut);
          const tokens = tokenizer.encode(job.sinceResult);
          job.ids.length = job.segment.ids;
          job.ids.push(...tokens);
          job.generated = job.segment.generated + tokens.length;
          job.response = job.response.slice(0, job.segment.response) + job.sinceResult;
        }
        if (job.sinceResult.includes('</answer>')) {
          job.finish = 'answer';
          continue;
        }
        const call = parseToolCall(job.sinceResult, toolNames, 'evaluation');
        if (call) {
          job.calls[call.tool] = (job.calls[call.tool] ?? 0) + 1;
          const limit = config.maxToolCalls[call.tool] ?? Number.POSITIVE_INFINITY;
          if (job.calls[call.tool]! > limit) immediate.push({ job, text: callLimitText(call.tool) });
          else if (dedupe.has(call.tool) && job.queries.has(`${call.tool}\u0000${call.input}`)) immediate.push({ job, text: REPEATED_SEARCH_TEXT });
          else {
            if (dedupe.has(call.tool)) job.queries.add(`${call.tool}\u0000${call.input}`);
            pending.push({ job, tool: call.tool, input: call.input });
          }
          continue;
        }
        if (job.generated >= config.maxResponseTokens || !fits(job)) job.finish = 'length';
        else if (!wasCut && gen.finishReason === 'length') continue; // the segment goes on in the next round
        else job.finish = !wasCut && gen.finishReason === 'eos' ? 'eos' : 'no-call';
      }

      const records = await tools.executeAll(
        pending.map((p) => ({ tool: p.tool, input: p.input, trajectoryId: p.job.seqId })),
        signal ? { signal } : {},
      );
      const results = [...immediate, ...pending.map((p, i) => ({ job: p.job, text: records[i]?.output ?? '' }))];
      for (const { job, text } of results) {
        const block = formatToolResult(text, config.resultFormat as ResultFormat);
        job.response += block;
        job.sinceResult = '';
        job.ids.push(...tokenizer.encode(block));
        job.segment = { ids: job.ids.length, generated: job.generated, response: job.response.length };
        if (job.generated >= config.maxResponseTokens) job.finish = 'length';
      }

      for (let i = active.length - 1; i >= 0; i--) {
        const job = active[i]!;
        if (job.finish === undefined) continue;
        active.splice(i, 1);
        await finishJob(job);
      }
    }
  };

  const policies = config.samples === 0 ? [policy, ...lanes] : [policy];
  const parts = Math.max(1, Math.min(policies.length, examples.length));
  await Promise.all(
    Array.from({ length: parts }, (_, k) => runPart(policies[k]!, Math.floor((k * examples.length) / parts), Math.floor(((k + 1) * examples.length) / parts))),
  );
  const done = rows.filter((r): r is EvaluationRow => r !== undefined);
  return { rows: done, summary: summarize(done, ks) };
}

/** Where a generated segment is cut: before the first `<result>` the model wrote, after the first closing tag. */
function cutPoint(text: string, closers: readonly string[]): number {
  let cut = text.length;
  const result = text.indexOf('<result>');
  if (result >= 0) cut = result;
  for (const closer of closers) {
    const at = text.indexOf(closer);
    if (at >= 0) cut = Math.min(cut, at + closer.length);
  }
  return cut;
}

/** Scores one response against an example's golds (exported for custom loops). */
export function scoreResponse(
  response: string,
  example: Pick<TaskExample, 'answers' | 'ability'>,
  options: { mathRelTol?: number } = {},
): ResponseScores {
  const prediction = evaluationPrediction(response);
  const golds = example.answers;
  const keep = { removePunctuation: false };
  const f1 = tokenF1(prediction, golds, keep);
  const em = exactMatch(prediction, golds, keep);
  const normPred = normalizeAnswer(prediction, keep);
  const acc = golds.some((g) => {
    const n = normalizeAnswer(g, keep);
    return n !== '' && normPred.includes(n);
  })
    ? 1
    : 0;
  const math = example.ability === 'math' ? golds.some((g) => mathAnswersEqual(prediction, g, options.mathRelTol ?? 1e-6)) : null;
  const format = validateFormat(response);
  return {
    prediction,
    correct: math ?? em === 1,
    f1,
    em,
    acc,
    mathEqual: math,
    formatValid: format.ok,
    ...(format.ok ? {} : { formatError: format.rule }),
    reward: hierarchicalReward(response, golds).reward,
  };
}

/**
 * Math answers: `mathEqual` of `@arpo/reward` (plain integers such as `1,234`, `1{,}234` or `1 234` compare
 * exactly there; anything else numerically within `relTol` or by the MATH string normaliser).
 */
export function mathAnswersEqual(prediction: string, gold: string, relTol = 1e-6): boolean {
  return mathEqual(prediction, gold, { relTol });
}

/** Unbiased pass@k of n samples with c correct (Chen et al. 2021): 1 − C(n−c, k) / C(n, k). */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`passAtK: k = ${k} exceeds n = ${n}`);
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

function buildRow(example: TaskExample, jobs: Job[], ks: readonly number[], config: EvaluateConfig): EvaluationRow {
  const [greedy, ...sampled] = jobs;
  const scores = scoreResponse(greedy!.response, example, { mathRelTol: config.mathRelTol });
  const row: EvaluationRow = {
    id: example.id,
    question: example.question,
    answers: example.answers,
    ability: example.ability,
    response: greedy!.response,
    ...scores,
    toolCalls: { ...greedy!.calls },
    tokens: greedy!.generated,
    finishReason: greedy!.finish ?? 'length',
  };
  if (sampled.length > 0) {
    const correct = sampled.filter((j) => scoreResponse(j.response, example, { mathRelTol: config.mathRelTol }).correct).length;
    row.samples = {
      n: sampled.length,
      correct,
      passAtK: Object.fromEntries(ks.map((k) => [String(k), passAtK(sampled.length, correct, k)])),
    };
  }
  return row;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The summary of evaluation rows (exported to re-summarise saved rows). */
export function summarize(rows: readonly EvaluationRow[], ks: readonly number[] = []): EvaluationSummary {
  const tools = [...new Set(rows.flatMap((r) => Object.keys(r.toolCalls)))].sort();
  const toolCallsPerQuestion: Record<string, number> = {};
  for (const t of tools) toolCallsPerQuestion[t] = mean(rows.map((r) => r.toolCalls[t] ?? 0));
  toolCallsPerQuestion.total = mean(rows.map((r) => Object.values(r.toolCalls).reduce((a, b) => a + b, 0)));
  const math = rows.filter((r) => r.ability === 'math');
  const qa = rows.filter((r) => r.ability === 'qa');
  const byAbility: EvaluationSummary['byAbility'] = {};
  for (const [ability, list] of [
    ['qa', qa],
    ['math', math],
  ] as const) {
    if (list.length === 0) continue;
    byAbility[ability] = {
      examples: list.length,
      passAt1: mean(list.map((r) => (r.correct ? 1 : 0))),
      f1: mean(list.map((r) => r.f1)),
      em: mean(list.map((r) => r.em)),
      formatErrorRate: mean(list.map((r) => (r.formatValid ? 0 : 1))),
    };
  }
  const withSamples = rows.filter((r) => r.samples);
  return {
    examples: rows.length,
    passAt1: mean(rows.map((r) => (r.correct ? 1 : 0))),
    passAtK: Object.fromEntries(ks.map((k) => [String(k), mean(withSamples.map((r) => r.samples!.passAtK[String(k)] ?? 0))])),
    f1: mean(rows.map((r) => r.f1)),
    em: mean(rows.map((r) => r.em)),
    acc: mean(rows.map((r) => r.acc)),
    mathAccuracy: math.length === 0 ? null : mean(math.map((r) => (r.correct ? 1 : 0))),
    qaF1: qa.length === 0 ? null : mean(qa.map((r) => r.f1)),
    formatErrorRate: mean(rows.map((r) => (r.formatValid ? 0 : 1))),
    meanReward: mean(rows.map((r) => r.reward)),
    toolCallsPerQuestion,
    tokensPerAnswer: mean(rows.map((r) => r.tokens)),
    byAbility,
  };
}
