import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { OpenAIPolicy } from './openai-policy.js';
import { rowSeed } from './row-seed.js';
import { AsciiTokenizer } from './testing/fake-policy.js';

const tokenizer = new AsciiTokenizer();
const request = { prefixes: [[40, 41]], maxNewTokens: 8, sampling: { temperature: 0.9, topP: 0.95, topK: 0 }, stop: ['</search>'], topLogprobs: 10, seed: 5 };

describe('OpenAIPolicy', () => {
  it('validates its settings, naming the field', () => {
    expect(() => new OpenAIPolicy({ servers: [], tokenizer })).toThrow(ArpoConfigError);
    expect(() => new OpenAIPolicy({ servers: ['gpu-1:8000'], tokenizer })).toThrow(/servers\.0/);
    expect(() => new OpenAIPolicy({ servers: ['http://a:1'], tokenizer, retry: { maxAttempts: 0 } })).toThrow(/retry\.maxAttempts = 0/);
    const p = new OpenAIPolicy({ servers: ['http://gpu-1:8000/v1/', 'https://gpu-2'], tokenizer });
    expect(p.config.servers).toEqual(['http://gpu-1:8000', 'https://gpu-2']);
    expect(p.modelId).toBe('openai:http://gpu-1:8000');
  });

  it('sends a token-id prompt, the sampling, stop, top-k logprobs, a per-row seed and the server extensions', () => {
    const p = new OpenAIPolicy({ servers: ['http://a:1'], tokenizer, model: 'm', extraBody: { priority: 1 } });
    expect(p.requestBody(request, 'm', 5, 3, [40, 41], 8)).toEqual({
      model: 'm',
      prompt: [40, 41],
      max_tokens: 8,
      temperature: 0.9,
      top_p: 0.95,
      top_k: -1,
      n: 1,
      seed: rowSeed(5, 3),
      logprobs: 10,
      stop: ['</search>'],
      return_tokens_as_token_ids: true,
      return_token_ids: true,
      include_stop_str_in_output: true,
      skip_special_tokens: false,
      repetition_penalty: 1,
      arpo_batch_seed: 5,
      arpo_batch_row: 3,
      priority: 1,
    });
  });

  it('plain mode: text prompt, no extensions; row seeds differ per row and repeat per seed', () => {
    const p = new OpenAIPolicy({ servers: ['http://a:1'], tokenizer, model: 'm', tokenIdPrompts: false, vllmFields: false, arpoFields: false });
    const body = p.requestBody({ ...request, sampling: { temperature: 1, topP: 1, topK: 4 } }, 'm', 5, 0, [40, 41], 8);
    expect(body).toEqual({ model: 'm', prompt: 'HI', max_tokens: 8, temperature: 1, top_p: 1, top_k: 4, n: 1, seed: rowSeed(5, 0), logprobs: 10, stop: ['</search>'] });
    expect(new Set([0, 1, 2, 3].map((r) => rowSeed(5, r))).size).toBe(4);
    expect(rowSeed(5, 2)).toBe(rowSeed(5, 2));
  });

  it('asks for more candidates for an entropy estimate than the caller wants back', () => {
    const p = new OpenAIPolicy({ servers: ['http://a:1'], tokenizer, model: 'm', fullEntropyEstimate: 'midpoint' });
    expect(p.requestBody({ ...request, topLogprobs: 0, returnEntropy: true }, 'm', 5, 0, [1], 8).logprobs).toBe(20);
  });

  it('rows with no token budget are answered without a request', async () => {
    const p = new OpenAIPolicy({ servers: ['http://127.0.0.1:9'], tokenizer, model: 'm' });
    expect(await p.generate({ ...request, maxNewTokens: 0 })).toEqual([{ tokens: [], logprobs: [], topLogprobs: [], finishReason: 'length' }]);
    expect(p.stats().servers[0]!.requests).toBe(0);
  });
});
