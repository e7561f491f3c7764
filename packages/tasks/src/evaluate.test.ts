import type { GenerateRequest, Generation, Policy, Tokenizer, Tool } from '@arpo/core';
import { createToolExecutor } from '@arpo/tools';
import { describe, expect, it } from 'vitest';
import { callLimitText, evaluate, mathAnswersEqual, passAtK, REPEATED_SEARCH_TEXT, summarize, type EvaluationProgress } from './evaluate.js';
import type { TaskExample } from './schema.js';

/** One token per UTF-16 code unit (ids = code + 3); 0 pad, 1 bos, 2 eos. */
const charTokenizer: Tokenizer = {
  specificationVersion: 'v1',
  vocabSize: 65_539,
  eosTokenId: 2,
  padTokenId: 0,
  bosTokenId: 1,
  encode: (text) => Array.from({ length: text.length }, (_, i) => text.charCodeAt(i) + 3),
  decode: (ids, options) =>
    ids
      .filter((id) => id > 2 || !options?.skipSpecialTokens)
      .map((id) => (id > 2 ? String.fromCharCode(id - 3) : ''))
      .join(''),
};

/**
 * A test double: for each question, fixed model segments (one per round, each ending at a stop string or, for the
 * last, followed by EOS). `samples[s]` scripts sampled sequence s (default: the greedy script). It honours
 * `maxNewTokens` by emitting a segment in pieces (finish reason `length`).
 */
class ScriptedPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly modelId = 'scripted';
  readonly tokenizer = charTokenizer;
  readonly requests: GenerateRequest[] = [];
  private readonly state = new Map<string, { segment: number; offset: number }>();

  constructor(private readonly scripts: Record<string, { greedy: string[]; samples?: string[][] }>) {}

  async generate(request: GenerateRequest): Promise<Generation[]> {
    this.requests.push(request);
    return request.prefixes.map((prefix, i) => {
      const id = request.sequenceIds![i]!;
      const question = /Question: (.*)\n/.exec(charTokenizer.decode(prefix))![1]!;
      const script = this.scripts[question]!;
      const sample = /-(\d+)$/.exec(id);
      const segments = sample ? (script.samples?.[Number(sample[1])] ?? script.greedy) : script.greedy;
      const st = this.state.get(id) ?? { segment: 0, offset: 0 };
      const text = segments[st.segment] ?? '';
      const cap = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i]!;
      const piece = text.slice(st.offset, st.offset + cap);
      const tokens = charTokenizer.encode(piece);
      let finishReason: Generation['finishReason'];
      if (st.offset + cap < text.length) {
        st.offset += cap;
        finishReason = 'length';
      } else {
        st.segment += 1;
        st.offset = 0;
        const stop = request.stop?.find((s) => text.endsWith(s));
        finishReason = stop ? 'stop' : 'eos';
        if (!stop) tokens.push(2);
      }
      this.state.set(id, st);
      return { tokens, logprobs: tokens.map(() => 0), finishReason };
    });
  }
}

const searchTool: Tool = {
  specificationVersion: 'v1',
  name: 'search',
  execute: async (q) => ({ text: `Page 1: result for ${q}`, status: 'ok' }),
};
const pythonTool: Tool = {
  specificationVersion: 'v1',
  name: 'python',
  execute: async (code) => ({ text: code.includes('48213 * 9176') ? '442402488' : 'error', status: 'ok' }),
};
const tools = createToolExecutor([searchTool, pythonTool]);

const ex = (id: string, question: string, answers: string[], ability: 'qa' | 'math'): TaskExample => ({
  id,
  question,
  answers,
  ability,
  tools: ability === 'qa' ? ['search'] : ['python'],
});
const examples: TaskExample[] = [
  ex('e1', 'Capital of Australia?', ['Canberra'], 'qa'),
  ex('e2', 'Capital of Mauritius?', ['Port Louis'], 'qa'),
  ex('e3', 'Currency of Australia?', ['AUD', 'Australian Dollar'], 'qa'),
  ex('e4', 'What is 48213 * 9176?', ['442402488'], 'math'),
  ex('e5', 'What is 1000 * 1000?', ['1000000'], 'math'),
];

const E1 = ['<think> search </think>\n<search> capital of Australia </search>', '\n<think> ok </think>\n<answer> \\boxed{ Canberra} </answer>'];
const E1_WRONG = ['<think> guess </think>\n<answer> \\boxed{ Sydney} </answer>'];
const E2 = ['<think> guess </think>\n<answer> \\boxed{ Port Moresby} </answer>'];
const E3 = ['<answer> AUD </answer>']; // correct, but no <think>: a format error
const E4 = ['<think> compute </think>\n<python>\nprint(48213 * 9176)\n</python>', '\n<answer> \\boxed{ 442402488} </answer>'];
const E5 = ['<think> y </think>\n<answer> \\boxed{ 1000001} </answer>']; // off by one: mathEqual's tolerance would accept it
const scripts = {
  'Capital of Australia?': { greedy: E1, samples: [E1, E1_WRONG] },
  'Capital of Mauritius?': { greedy: E2 },
  'Currency of Australia?': { greedy: E3 },
  'What is 48213 * 9176?': { greedy: E4 },
  'What is 1000 * 1000?': { greedy: E5 },
};
const len = (segments: string[]) => segments.join('').length;

describe('evaluate', () => {
  it('computes pass@1, pass@k, F1/EM, math equality, format errors, tool calls and tokens as hand-computed', async () => {
    const progress: EvaluationProgress[] = [];
    const policy = new ScriptedPolicy(scripts);
    const { rows, summary } = await evaluate(policy, tools, examples, {
      format: 'compact',
      samples: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(rows.map((r) => r.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(rows[0]!.response).toBe(`${E1[0]} <result>\nPage 1: result for capital of Australia\n</result>${E1[1]}`);
    expect(rows.map((r) => r.prediction)).toEqual(['Canberra', 'Port Moresby', 'AUD', '442402488', '1000001']);
    expect(rows.map((r) => r.correct)).toEqual([true, false, true, true, false]);
    expect(rows.map((r) => r.f1)).toEqual([1, 0.5, 1, 1, 0]); // "port moresby" vs "port louis": 2·1/(2+2)
    expect(rows.map((r) => r.em)).toEqual([1, 0, 1, 1, 0]);
    expect(rows.map((r) => r.acc)).toEqual([1, 0, 1, 1, 0]);
    expect(rows.map((r) => r.mathEqual)).toEqual([null, null, null, true, false]);
    expect(rows.map((r) => r.formatValid)).toEqual([true, true, false, true, true]);
    expect(rows[2]!.formatError).toBe('think-tags');
    expect(rows.map((r) => r.reward)).toEqual([1, 0.5, -1, 1, 0]);
    expect(rows.map((r) => r.toolCalls)).toEqual([{ search: 1 }, {}, {}, { python: 1 }, {}]);
    expect(rows.map((r) => r.tokens)).toEqual([len(E1), len(E2), len(E3), len(E4), len(E5)]);
    expect(rows.map((r) => r.finishReason)).toEqual(['answer', 'answer', 'answer', 'answer', 'answer']);
    // samples: e1 has 1 of 2 correct; the others repeat their greedy script (2 of 2 or 0 of 2)
    expect(rows.map((r) => r.samples)).toEqual([
      { n: 2, correct: 1, passAtK: { 1: 0.5, 2: 1 } },
      { n: 2, correct: 0, passAtK: { 1: 0, 2: 0 } },
      { n: 2, correct: 2, passAtK: { 1: 1, 2: 1 } },
      { n: 2, correct: 2, passAtK: { 1: 1, 2: 1 } },
      { n: 2, correct: 0, passAtK: { 1: 0, 2: 0 } },
    ]);

    expect(summary).toEqual({
      examples: 5,
      passAt1: 3 / 5,
      passAtK: { 1: (0.5 + 0 + 1 + 1 + 0) / 5, 2: (1 + 0 + 1 + 1 + 0) / 5 },
      f1: (1 + 0.5 + 1 + 1 + 0) / 5,
      em: 3 / 5,
      acc: 3 / 5,
      mathAccuracy: 1 / 2,
      qaF1: (1 + 0.5 + 1) / 3,
      formatErrorRate: 1 / 5,
      meanReward: (1 + 0.5 - 1 + 1 + 0) / 5,
      toolCallsPerQuestion: { python: 1 / 5, search: 1 / 5, total: 2 / 5 },
      tokensPerAnswer: (len(E1) + len(E2) + len(E3) + len(E4) + len(E5)) / 5,
      byAbility: {
        qa: { examples: 3, passAt1: 2 / 3, f1: (1 + 0.5 + 1) / 3, em: 2 / 3, formatErrorRate: 1 / 3 },
        math: { examples: 2, passAt1: 1 / 2, f1: 1 / 2, em: 1 / 2, formatErrorRate: 0 },
      },
    });
    expect(summarize(rows, [1, 2])).toEqual(summary);
    expect(progress.map((p) => [p.completed, p.total])).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(new Set(progress.map((p) => p.row.id)).size).toBe(5);
    // greedy at temperature 0, samples at the paper's T = 0.6, top-p 0.95
    expect(policy.requests.map((r) => r.sampling.temperature)).toContain(0);
    expect(policy.requests.map((r) => r.sampling)).toContainEqual({ temperature: 0.6, topP: 0.95, topK: 0 });
    expect(policy.requests[0]!.stop).toEqual(['</search>', '</python>', '</answer>']);
  });

  it('continues a segment cut by maxNewTokens and stops at maxResponseTokens', async () => {
    const whole = await evaluate(new ScriptedPolicy(scripts), tools, examples, { format: 'compact' });
    const pieces = await evaluate(new ScriptedPolicy(scripts), tools, examples, { format: 'compact', maxNewTokens: 7, batchSize: 2 });
    expect(pieces.rows).toEqual(whole.rows);
    const capped = await evaluate(new ScriptedPolicy(scripts), tools, examples.slice(0, 1), { format: 'compact', maxResponseTokens: 20 });
    expect(capped.rows[0]!).toMatchObject({ finishReason: 'length', tokens: 20, response: E1[0]!.slice(0, 20), formatValid: false });
  });

  it('spreads the examples over lane policies in contiguous parts (greedy only), with the same rows', async () => {
    const whole = await evaluate(new ScriptedPolicy(scripts), tools, examples, { format: 'compact' });
    const main = new ScriptedPolicy(scripts);
    const second = new ScriptedPolicy(scripts);
    const third = new ScriptedPolicy(scripts);
    const split = await evaluate(main, tools, examples, { format: 'compact', lanes: [second, third] });
    expect(split.rows).toEqual(whole.rows);
    expect(split.summary).toEqual(whole.summary);
    // 5 examples over 3 policies: [0, 1) on the main one, [1, 3) and [3, 5) on the lanes.
    const seen = (p: ScriptedPolicy) => [...new Set(p.requests.flatMap((r) => r.sequenceIds!.map((id) => Number(/^eval-(\d+)-/.exec(id)![1]))))].sort();
    expect([seen(main), seen(second), seen(third)]).toEqual([[0], [1, 2], [3, 4]]);
    // With samples the draws would depend on the split: everything stays on the main policy.
    const sampledMain = new ScriptedPolicy(scripts);
    const idle = new ScriptedPolicy(scripts);
    await evaluate(sampledMain, tools, examples, { format: 'compact', samples: 1, lanes: [idle] });
    expect(idle.requests).toHaveLength(0);
  });

  it('applies the reference call limits, refuses repeated searches and cuts a written <result>', async () => {
    const q = (id: string, question: string) => ex(id, question, ['x'], 'qa');
    const call = (query: string) => `<think> a </think>\n<search> ${query} </search>`;
    const policy = new ScriptedPolicy({
      'Repeat?': { greedy: [call('same'), call('same'), '<answer> \\boxed{x} </answer>'] },
      'Limit?': { greedy: [call('one'), call('two'), '<think> b </think>\n<answer> \\boxed{x} </answer>'] },
      'Fake?': { greedy: ['<think> a </think> <result> invented </result> <answer> \\boxed{x} </answer>'] },
    });
    const { rows } = await evaluate(policy, tools, [q('r', 'Repeat?'), q('l', 'Limit?'), q('f', 'Fake?')], {
      format: 'compact',
      maxToolCalls: { search: 1 },
      resultFormat: 'evaluation',
    });
    expect(rows[0]!.response).toBe(`${call('same')}<result>Page 1: result for same</result>${call('same')}<result>${callLimitText('search')}</result><answer> \\boxed{x} </answer>`);
    expect(rows[1]!.response).toContain(`${call('two')}<result>${callLimitText('search')}</result>`);
    expect(rows[1]!.toolCalls).toEqual({ search: 2 });
    expect(rows[2]!).toMatchObject({ response: '<think> a </think> ', finishReason: 'no-call', correct: false });

    const repeat = await evaluate(new ScriptedPolicy({ 'Repeat?': { greedy: [call('same'), call('same'), '<answer> \\boxed{x} </answer>'] } }), tools, [q('r', 'Repeat?')], {
      format: 'compact',
      resultFormat: 'evaluation',
    });
    expect(repeat.rows[0]!.response).toContain(`<result>${REPEATED_SEARCH_TEXT}</result>`);
  });

  it('rejects a k larger than the samples', async () => {
    await expect(evaluate(new ScriptedPolicy(scripts), tools, examples, { samples: 2, k: [4] })).rejects.toThrow('k = [4]');
  });
});

describe('metrics', () => {
  it('pass@k is the unbiased estimator', () => {
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 5, 3)).toBe(1);
    expect(passAtK(4, 1, 1)).toBeCloseTo(1 / 4, 12);
    expect(passAtK(4, 1, 2)).toBeCloseTo(1 - 3 / 6, 12); // 1 − C(3,2)/C(4,2)
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 12); // 1 − C(7,5)/C(10,5)
  });

  it('compares integers exactly and everything else with mathEqual', () => {
    expect(mathAnswersEqual('1,000,000', '1000000')).toBe(true);
    expect(mathAnswersEqual('1{,}000', '1000')).toBe(true);
    expect(mathAnswersEqual('442402489', '442402488')).toBe(false);
    expect(mathAnswersEqual('\\frac{1}{2}', '0.5')).toBe(true);
  });
});

/** Calls its search tool forever (a half-trained model): every round writes one search, never an answer. */
class NeverStopsPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly modelId = 'never-stops';
  readonly tokenizer = charTokenizer;
  readonly prefixLengths: number[] = [];
  constructor(readonly contextLength: number) {}
  async generate(request: GenerateRequest): Promise<Generation[]> {
    return request.prefixes.map((prefix, i) => {
      this.prefixLengths.push(prefix.length);
      if (prefix.length > this.contextLength) throw new Error(`prefix of ${prefix.length} tokens > context ${this.contextLength}`);
      const cap = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i]!;
      const text = `<search> q${prefix.length} </search>`.slice(0, cap);
      const tokens = charTokenizer.encode(text);
      return { tokens, logprobs: tokens.map(() => 0), finishReason: text.endsWith('</search>') ? 'stop' : 'length' };
    });
  }
}

describe('evaluate: trajectories that outgrow the context', () => {
  it('ends them with finish reason length, scores them, and evaluates every question', async () => {
    const policy = new NeverStopsPolicy(400);
    const progress: EvaluationProgress[] = [];
    const { rows, summary } = await evaluate(policy, tools, examples.slice(0, 3), {
      format: 'compact',
      maxResponseTokens: 100_000,
      maxToolCalls: { search: 1000 },
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(rows.map((r) => r.id)).toEqual(['e1', 'e2', 'e3']);
    expect(progress.map((p) => p.completed)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.finishReason)).toEqual(['length', 'length', 'length']);
    // no answer: a format error, reward −1, not correct
    expect(rows.map((r) => [r.correct, r.formatValid, r.reward])).toEqual([
      [false, false, -1],
      [false, false, -1],
      [false, false, -1],
    ]);
    expect(summary.examples).toBe(3);
    // never called with a prefix that does not leave room for one token
    expect(Math.max(...policy.prefixLengths)).toBeLessThan(400);
    expect(rows.every((r) => (r.toolCalls.search ?? 0) >= 2)).toBe(true);
  });
});
