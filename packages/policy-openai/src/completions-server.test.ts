import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCompletions, type CompletionsServer } from './completions-server.js';
import { OpenAIPolicy } from './openai-policy.js';
import { FakePolicy } from './testing/fake-policy.js';
import type { CompletionResponse } from './wire-types.js';

let server: CompletionsServer;
const policy = new FakePolicy();

beforeAll(async () => {
  server = await serveCompletions({ policy, port: 0, modelName: 'letters' });
});
afterAll(() => server.close());

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('completions server (real socket, fake policy)', () => {
  it('lists the model and answers /health', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    expect(models).toMatchObject({ object: 'list', data: [{ id: 'letters', object: 'model' }] });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const missing = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('no route');
  });

  it("lists the policy's context length as vLLM's max_model_len; OpenAIPolicy exposes a configured contextLength", async () => {
    const small = Object.assign(new FakePolicy(), { contextLength: 64 });
    const other = await serveCompletions({ policy: small, port: 0, modelName: 'small' });
    try {
      type ModelList = { data: { id: string; max_model_len?: number }[] };
      const models = (await (await fetch(`${other.url}/v1/models`)).json()) as ModelList;
      expect(models.data[0]).toMatchObject({ id: 'small', max_model_len: 64 });
      const plain = (await (await fetch(`${server.url}/v1/models`)).json()) as ModelList;
      expect(plain.data[0]!.max_model_len).toBeUndefined();
      expect(new OpenAIPolicy({ servers: [other.url], tokenizer: small.tokenizer, contextLength: 64 }).contextLength).toBe(64);
      expect(new OpenAIPolicy({ servers: [other.url], tokenizer: small.tokenizer }).contextLength).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('answers in vLLM shape: text, token ids, legacy logprobs (sampled token added to the top k), usage', async () => {
    const { status, json } = await post({ model: 'letters', prompt: 'hi', max_tokens: 4, logprobs: 1, seed: 3, return_tokens_as_token_ids: true, n: 2 });
    expect(status).toBe(200);
    const body = json as CompletionResponse;
    const direct = await new FakePolicy().generate({ prefixes: [[72, 73], [72, 73]], maxNewTokens: 4, sampling: { temperature: 1, topP: 1, topK: 0 }, topLogprobs: 1, seed: 3 });
    expect(body.choices).toHaveLength(2);
    body.choices!.forEach((c, i) => {
      const g = direct[i]!;
      expect(c.index).toBe(i);
      expect(c.token_ids).toEqual(g.tokens);
      expect(c.logprobs!.tokens).toEqual(g.tokens.map((t) => `token_id:${t}`));
      expect(c.logprobs!.token_logprobs).toEqual(g.logprobs);
      c.logprobs!.top_logprobs!.forEach((entry, j) => {
        const expected: Record<string, number> = { 'token_id:65': Math.log(0.4) };
        expected[`token_id:${g.tokens[j]}`] ??= g.logprobs[j]!;
        expect(entry).toEqual(expected);
      });
      expect(c.finish_reason).toBe(g.finishReason === 'length' ? 'length' : 'stop');
      expect(c.text).toBe(new FakePolicy().tokenizer.decode(g.tokens, { skipSpecialTokens: true }));
    });
    expect(body.usage!.prompt_tokens).toBe(2);
  });

  it('stop strings: finish_reason stop with stop_reason; the string left out of text unless include_stop_str_in_output', async () => {
    // Greedy-ish: search a seed whose first row hits 'b' within 8 tokens.
    for (let seed = 0; seed < 50; seed++) {
      const { json } = await post({ prompt: [1], max_tokens: 8, stop: ['b'], logprobs: 0, seed });
      const c = (json as CompletionResponse).choices![0]!;
      if (c.stop_reason === 'b') {
        expect(c.finish_reason).toBe('stop');
        // As OpenAI and vLLM: text without the stop string; token ids and log-probs keep its tokens.
        const kept = (await post({ prompt: [1], max_tokens: 8, stop: ['b'], logprobs: 0, seed, include_stop_str_in_output: true })).json as CompletionResponse;
        const withStop = kept.choices![0]!;
        expect(withStop.text).toBe(`${c.text}b`);
        expect(c.text!.endsWith('b')).toBe(false);
        expect(c.token_ids).toEqual(withStop.token_ids);
        expect(c.logprobs!.tokens!.length).toBe(c.token_ids!.length);
        expect(((await post({ prompt: [1], max_tokens: 8, stop: ['b'], seed, no_stop_trim: true })).json as CompletionResponse).choices![0]!.text).toBe(`${c.text}b`);
        expect(c.logprobs!.top_logprobs!.every((e) => e !== null && Object.keys(e).length === 1)).toBe(true);
        return;
      }
    }
    throw new Error('no seed stopped at "b"');
  });

  it('rejects bad requests with OpenAI-style errors naming the parameter', async () => {
    expect(await post({ prompt: [1], model: 'gpt-4' })).toMatchObject({ status: 404, json: { error: { param: 'model' } } });
    expect(await post({ prompt: [1], logprobs: 50 })).toMatchObject({ status: 400, json: { error: { param: 'logprobs' } } });
    expect(await post({ prompt: [1], stream: true })).toMatchObject({ status: 400, json: { error: { param: 'stream' } } });
    const bad = await fetch(`${server.url}/v1/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe('the request body is not valid JSON');
  });

  it('OpenAIPolicy against it gives what the policy gives in process for the same prefixes and seed', async () => {
    const client = new OpenAIPolicy({ servers: [server.url], tokenizer: policy.tokenizer });
    const request = {
      prefixes: [[1, 2], [3], [1, 2], [4]],
      maxNewTokens: [6, 6, 0, 3],
      sampling: { temperature: 1, topP: 1, topK: 0 },
      stop: ['cc'],
      topLogprobs: 3,
      seed: 77,
    };
    const calls = policy.calls.length;
    const [remote, local] = await Promise.all([client.generate(request), new FakePolicy().generate(request)]);
    expect(remote.map(({ tokens, logprobs, topLogprobs, finishReason, stopString }) => ({ tokens, logprobs, topLogprobs, finishReason, ...(stopString ? { stopString } : {}) }))).toEqual(local);
    expect(policy.calls.length - calls).toBe(1); // the three non-empty rows were merged (arpo_batch_peers)
    expect(client.modelId).toBe('letters'); // read from /v1/models
    expect(remote[0]!.topKEntropies).toHaveLength(remote[0]!.tokens.length);
  });

  it('full entropies travel with arpo_return_entropy', async () => {
    const client = new OpenAIPolicy({ servers: [server.url], tokenizer: policy.tokenizer, model: 'letters' });
    const [g] = await client.generate({ prefixes: [[1]], maxNewTokens: 3, sampling: { temperature: 1, topP: 1, topK: 0 }, returnEntropy: true, seed: 1 });
    expect(g!.entropies).toEqual(g!.tokens.map(() => 1.5));
  });

  it('text prompts (tokenIdPrompts false) are encoded by the served policy tokenizer', async () => {
    const client = new OpenAIPolicy({ servers: [server.url], tokenizer: policy.tokenizer, model: 'letters', tokenIdPrompts: false });
    const request = { prefixes: [[40, 41]], maxNewTokens: 4, sampling: { temperature: 1, topP: 1, topK: 0 }, seed: 5 };
    const [remote] = await client.generate(request);
    const [local] = await new FakePolicy().generate(request);
    expect(remote!.tokens).toEqual(local!.tokens);
  });
});
