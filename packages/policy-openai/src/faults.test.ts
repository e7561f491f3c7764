import { describe, expect, it } from 'vitest';
import { OpenAIPolicy } from './openai-policy.js';
import { OpenAIRetriesExhaustedError, OpenAIServerError } from './server-error.js';
import { AsciiTokenizer } from './testing/fake-policy.js';
import { cannedCompletion, rawServer, reply } from './testing/raw-server.js';

const tokenizer = new AsciiTokenizer();
const request = { prefixes: [[1, 2]], maxNewTokens: 2, sampling: { temperature: 1, topP: 1, topK: 0 }, topLogprobs: 1, seed: 1 };
const fast = { initialDelayMs: 20, jitter: 'none' as const };

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('OpenAIPolicy against failing servers (real sockets)', () => {
  it('malformed JSON: a clear, non-retried error naming the server', async () => {
    const server = await rawServer((_b, _n, res) => reply(res, 200, '{"choices": [ oops'));
    try {
      const policy = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'm', retry: fast });
      const e = await failure(policy.generate(request));
      expect(e).toBeInstanceOf(OpenAIServerError);
      expect((e as OpenAIServerError).kind).toBe('malformed');
      expect(e.message).toBe(`${server.url}: malformed response from /v1/completions: not JSON ("{\\"choices\\": [ oops")`);
      expect(server.count()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('JSON that is not a completion is malformed too, naming the server', async () => {
    const server = await rawServer((_b, _n, res) => reply(res, 200, { hello: 'world' }));
    try {
      const policy = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'm' });
      expect((await failure(policy.generate(request))).message).toBe(`${server.url}: malformed completion response: the body has no "choices" array`);
    } finally {
      await server.close();
    }
  });

  it('429 then success: retried after the backoff', async () => {
    const server = await rawServer((_b, n, res) => (n === 1 ? reply(res, 429, { error: { message: 'too many requests' } }) : reply(res, 200, cannedCompletion())));
    try {
      const policy = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'm', retry: fast });
      const t0 = Date.now();
      const [g] = await policy.generate(request);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
      expect(g).toMatchObject({ tokens: [65, 66], logprobs: [-0.5, -1], topLogprobs: [[{ token: 65, logprob: -0.5 }], [{ token: 67, logprob: -0.75 }]], finishReason: 'length' });
      expect(server.count()).toBe(2);
      expect(policy.stats().retries).toBe(1);
      expect(policy.stats().servers[0]).toMatchObject({ requests: 2, failures: 1, inFlight: 0 });
    } finally {
      await server.close();
    }
  });

  it('a server without logprobs: a clear no-logprobs error', async () => {
    const server = await rawServer((_b, _n, res) => reply(res, 200, { choices: [{ index: 0, text: 'ab', finish_reason: 'length', logprobs: null }] }));
    try {
      const policy = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'm' });
      const e = (await failure(policy.generate(request))) as OpenAIServerError;
      expect(e.kind).toBe('no-logprobs');
      expect(e.message).toContain(`${server.url}: the server returned no log-probs`);
      expect(server.count()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('5xx moves the request to another server; a 400 is not retried', async () => {
    const down = await rawServer((_b, _n, res) => reply(res, 503, { error: { message: 'overloaded' } }));
    const up = await rawServer((_b, _n, res) => reply(res, 200, cannedCompletion()));
    const bad = await rawServer((_b, _n, res) => reply(res, 400, { error: { message: 'logprobs too large' } }));
    try {
      const policy = new OpenAIPolicy({ servers: [down.url, up.url], tokenizer, model: 'm', retry: fast });
      const gens = await Promise.all([policy.generate(request), policy.generate(request)]);
      expect(gens.flat().map((g) => g.tokens)).toEqual([[65, 66], [65, 66]]);
      expect(policy.stats().servers.map((s) => s.failures)).toEqual([1, 0]);
      const strict = new OpenAIPolicy({ servers: [bad.url], tokenizer, model: 'm', retry: fast });
      const e = (await failure(strict.generate(request))) as OpenAIServerError;
      expect(e.message).toBe(`${bad.url}: HTTP 400 from /v1/completions: logprobs too large`);
      expect(e.retryable).toBe(false);
      expect(bad.count()).toBe(1);
    } finally {
      await Promise.all([down.close(), up.close(), bad.close()]);
    }
  });

  it('gives up after maxAttempts with every attempt’s error; timeouts and refused connections count as retryable', async () => {
    const silent = await rawServer(() => undefined); // never answers
    const refused = await rawServer(() => undefined);
    await refused.close();
    try {
      const policy = new OpenAIPolicy({ servers: [silent.url, refused.url], tokenizer, model: 'm', timeoutMs: 150, retry: { ...fast, maxAttempts: 3 } });
      const e = (await failure(policy.generate(request))) as OpenAIRetriesExhaustedError;
      expect(e).toBeInstanceOf(OpenAIRetriesExhaustedError);
      expect(e.attempts).toHaveLength(3);
      expect(new Set(e.attempts.map((a) => a.kind))).toEqual(new Set(['timeout', 'connection']));
      expect(e.attempts.every((a) => a.message.startsWith(a.url))).toBe(true);
      expect(e.message).toContain('failed after 3 attempt(s)');
    } finally {
      await silent.close();
    }
  });

  it('the caller’s abort signal stops the request without retries', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const policy = new OpenAIPolicy({ servers: [silent.url], tokenizer, model: 'm' });
      const controller = new AbortController();
      const pending = policy.generate({ ...request, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user abort')), 50);
      expect((await failure(pending)).message).toBe('user abort');
      expect(policy.stats().retries).toBe(0);
    } finally {
      await silent.close();
    }
  });
});
