import { describe, expect, it } from 'vitest';
import { parseChoice, parseCompletionResponse } from './parse-choice.js';
import type { ParseContext } from './parse-logprobs.js';
import { OpenAIServerError } from './server-error.js';
import { AsciiTokenizer } from './testing/fake-policy.js';
import { formatTokenIdString, parseTokenIdString } from './token-id-string.js';
import type { CompletionChoice } from './wire-types.js';

const tokenizer = new AsciiTokenizer(); // 'a' = 65, 'b' = 66, …, EOS = 95
const URL = 'http://gpu-7:8000';
const ctx = (over: Partial<ParseContext> = {}): ParseContext => ({ url: URL, tokenizer, topLogprobs: 2, stop: [], ...over });

function thrown(fn: () => unknown): OpenAIServerError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAIServerError);
    return error as OpenAIServerError;
  }
  throw new Error('expected a throw');
}

describe('token_id strings', () => {
  it('parses and formats vLLM return_tokens_as_token_ids strings', () => {
    expect(parseTokenIdString('token_id:151643')).toBe(151643);
    expect(parseTokenIdString('token_id:0')).toBe(0);
    expect(parseTokenIdString('token_id:-1')).toBeUndefined();
    expect(parseTokenIdString('token_id:')).toBeUndefined();
    expect(parseTokenIdString('hello')).toBeUndefined();
    expect(formatTokenIdString(7)).toBe('token_id:7');
  });
});

describe('parseChoice', () => {
  it('vLLM legacy log-probs with token_id strings: exact ids, top k sorted, the extra sampled token cut', () => {
    const choice: CompletionChoice = {
      index: 0,
      text: 'ab',
      finish_reason: 'length',
      stop_reason: null,
      logprobs: {
        tokens: ['token_id:65', 'token_id:66'],
        token_logprobs: [-0.5, -2.5],
        top_logprobs: [
          { 'token_id:70': -1.5, 'token_id:65': -0.5 },
          { 'token_id:67': -1, 'token_id:68': -2, 'token_id:66': -2.5 },
        ],
      },
    };
    expect(parseChoice(choice, 0, ctx())).toEqual({
      tokens: [65, 66],
      logprobs: [-0.5, -2.5],
      topLogprobs: [
        [{ token: 65, logprob: -0.5 }, { token: 70, logprob: -1.5 }],
        [{ token: 67, logprob: -1 }, { token: 68, logprob: -2 }],
      ],
      finishReason: 'length',
    });
  });

  it('prefers token_ids over token strings; EOS as the last token with finish_reason stop → eos', () => {
    const choice: CompletionChoice = {
      finish_reason: 'stop',
      stop_reason: null,
      token_ids: [40, 95],
      logprobs: { tokens: ['H', ''], token_logprobs: [-0.25, -0.125] },
    };
    expect(parseChoice(choice, 0, ctx({ topLogprobs: 0 }))).toEqual({ tokens: [40, 95], logprobs: [-0.25, -0.125], finishReason: 'eos' });
  });

  it('a plain numeric tokens array is taken as ids', () => {
    const choice = { finish_reason: 'length', tokens: [65], logprobs: { token_logprobs: [-1] } } as unknown as CompletionChoice;
    expect(parseChoice(choice, 0, ctx({ topLogprobs: 0 }))).toEqual({ tokens: [65], logprobs: [-1], finishReason: 'length' });
  });

  it('stop_reason string → stop with that string (kept in the tokens)', () => {
    const choice: CompletionChoice = {
      finish_reason: 'stop',
      stop_reason: 'cd',
      token_ids: [65, 66, 67, 68],
      logprobs: { token_logprobs: [-1, -1, -1, -1] },
    };
    const gen = parseChoice(choice, 0, ctx({ topLogprobs: 0, stop: ['cd'] }));
    expect(gen.finishReason).toBe('stop');
    expect(gen.stopString).toBe('cd');
  });

  it('a trimmed stop string is a clear error naming the server', () => {
    const choice: CompletionChoice = { finish_reason: 'stop', stop_reason: 'cd', token_ids: [65, 66], logprobs: { token_logprobs: [-1, -1] } };
    const e = thrown(() => parseChoice(choice, 0, ctx({ topLogprobs: 0, stop: ['cd'] })));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/^http:\/\/gpu-7:8000: /);
    expect(e.message).toContain('include_stop_str_in_output');
  });

  it('SGLang matched_stop: a number is a stop token (eos), a string a stop string', () => {
    const base = { finish_reason: 'stop', token_ids: [65, 66], logprobs: { token_logprobs: [-1, -2] } };
    expect(parseChoice({ ...base, matched_stop: 95 }, 0, ctx({ topLogprobs: 0 })).finishReason).toBe('eos');
    expect(parseChoice({ ...base, matched_stop: 'b' }, 0, ctx({ topLogprobs: 0, stop: ['b'] }))).toMatchObject({ finishReason: 'stop', stopString: 'b' });
  });

  it('llama.cpp chat-style content log-probs with ids; no stop_reason → the stop string that ends the text', () => {
    const choice: CompletionChoice = {
      finish_reason: 'stop',
      logprobs: {
        content: [
          { id: 65, token: 'a', logprob: -0.1, top_logprobs: [{ id: 65, token: 'a', logprob: -0.1 }, { id: 66, token: 'b', logprob: -2.4 }] },
          { id: 66, token: 'b', logprob: -0.7, top_logprobs: [{ id: 67, token: 'c', logprob: -0.6 }, { id: 66, token: 'b', logprob: -0.7 }] },
        ],
      },
    };
    expect(parseChoice(choice, 0, ctx({ stop: ['zz', 'b'] }))).toEqual({
      tokens: [65, 66],
      logprobs: [-0.1, -0.7],
      topLogprobs: [
        [{ token: 65, logprob: -0.1 }, { token: 66, logprob: -2.4 }],
        [{ token: 67, logprob: -0.6 }, { token: 66, logprob: -0.7 }],
      ],
      finishReason: 'stop',
      stopString: 'b',
    });
  });

  it('token strings without ids map through the tokenizer when each is one token; null log-probs are −∞', () => {
    const choice: CompletionChoice = {
      finish_reason: 'length',
      logprobs: { tokens: ['x', 'y'], token_logprobs: [-0.5, -1], top_logprobs: [{ x: -0.5, q: null }, null] },
    };
    expect(parseChoice(choice, 0, ctx())).toEqual({
      tokens: [88, 89],
      logprobs: [-0.5, -1],
      topLogprobs: [[{ token: 88, logprob: -0.5 }, { token: 81, logprob: -Infinity }], []],
      finishReason: 'length',
    });
  });

  it('a token string that is several tokens asks for token ids', () => {
    const choice: CompletionChoice = { finish_reason: 'length', logprobs: { tokens: ['xy'], token_logprobs: [-0.5] } };
    const e = thrown(() => parseChoice(choice, 0, ctx({ topLogprobs: 0 })));
    expect(e.message).toContain('"xy"');
    expect(e.message).toContain('return_tokens_as_token_ids');
  });

  it('missing log-probs: a no-logprobs error naming the server', () => {
    const e = thrown(() => parseChoice({ finish_reason: 'length', text: 'ab', token_ids: [65, 66], logprobs: null }, 0, ctx()));
    expect(e.kind).toBe('no-logprobs');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^http:\/\/gpu-7:8000: the server returned no log-probs: choices\[0\]\.logprobs is null/);
    const noTop = thrown(() => parseChoice({ finish_reason: 'length', token_ids: [65], logprobs: { token_logprobs: [-1] } }, 0, ctx()));
    expect(noTop.kind).toBe('no-logprobs');
    expect(noTop.message).toContain('no top_logprobs (asked for 2 per position)');
  });

  it('misaligned arrays and bad values are malformed', () => {
    const e = thrown(() => parseChoice({ finish_reason: 'length', token_ids: [65, 66], logprobs: { token_logprobs: [-1] } }, 3, ctx({ topLogprobs: 0 })));
    expect(e.message).toBe('http://gpu-7:8000: malformed completion response: choices[3].logprobs has 1 log-probs for 2 tokens (expected one per token)');
    const positive = thrown(() => parseChoice({ finish_reason: 'length', token_ids: [65], logprobs: { token_logprobs: [0.5] } }, 0, ctx({ topLogprobs: 0 })));
    expect(positive.message).toContain('token_logprobs[0] = 0.5 (expected a log-prob <= 0)');
    const finish = thrown(() => parseChoice({ finish_reason: null, token_ids: [65], logprobs: { token_logprobs: [-1] } }, 0, ctx({ topLogprobs: 0 })));
    expect(finish.message).toContain('finish_reason = null');
  });

  it('finish_reason abort is retryable', () => {
    const e = thrown(() => parseChoice({ finish_reason: 'abort', token_ids: [65], logprobs: { token_logprobs: [-1] } }, 0, ctx({ topLogprobs: 0 })));
    expect(e.retryable).toBe(true);
  });
});

describe('parseCompletionResponse', () => {
  const choice = (index: number, id: number): CompletionChoice => ({ index, finish_reason: 'length', token_ids: [id], logprobs: { token_logprobs: [-1] } });

  it('orders choices by index', () => {
    const gens = parseCompletionResponse({ choices: [choice(1, 66), choice(0, 65)] }, 2, ctx({ topLogprobs: 0 }));
    expect(gens.map((g) => g.tokens)).toEqual([[65], [66]]);
  });

  it('rejects a body without choices or with the wrong number of them', () => {
    expect(thrown(() => parseCompletionResponse([], 1, ctx())).message).toContain('the body is not a JSON object');
    expect(thrown(() => parseCompletionResponse({ object: 'error' }, 1, ctx())).message).toContain('no "choices" array');
    expect(thrown(() => parseCompletionResponse({ choices: [choice(0, 65)] }, 2, ctx({ topLogprobs: 0 }))).message).toContain('1 choices for 2 asked');
  });
});
