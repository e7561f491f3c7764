import * as tf from '@tensorflow/tfjs';
import type { GenerateRequest } from '@arpo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TfjsPolicy } from './tfjs-policy.js';
import { randomizeVariables } from './testing/randomize.js';
import { useWasm } from './testing/setup-backend.js';
import { TINY_LLAMA, TINY_QWEN2, tinyTokenizer } from './testing/tiny.js';

const tokenizer = tinyTokenizer();
let cached: TfjsPolicy;
let uncached: TfjsPolicy;

async function make(config = TINY_LLAMA, kvCache = true, extra: { eosTokenIds?: number[] } = {}): Promise<TfjsPolicy> {
  const p = await TfjsPolicy.create(config, { tokenizer, seed: 3, backend: 'current', kvCache, ...extra });
  randomizeVariables(p.variablesByName(), 11, 0.6);
  return p;
}

const sampling = { temperature: 1, topP: 1, topK: 0 };
const prefixes = [[1, 300, 301], [1], [1, 50, 60, 70, 80, 90, 100]];

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
  cached = await make();
  uncached = await make(TINY_LLAMA, false);
});
afterAll(() => {
  cached.dispose();
  uncached.dispose();
});

describe('generate: cached vs uncached, seeds, batching', () => {
  for (const [name, params] of [
    ['T=1', sampling],
    ['greedy', { temperature: 0, topP: 1, topK: 0 }],
    ['T=0.7, top-k 20, top-p 0.9', { temperature: 0.7, topP: 0.9, topK: 20 }],
  ] as const) {
    it(`${name}: KV-cached and uncached generation give the same tokens and matching log-probs / entropies`, async () => {
      const req: GenerateRequest = { prefixes, maxNewTokens: [12, 16, 9], sampling: params, seed: 7, returnEntropy: true, topLogprobs: 3 };
      const a = await cached.generate(req);
      const b = await uncached.generate(req);
      expect(a.map((g) => g.tokens)).toEqual(b.map((g) => g.tokens));
      expect(a.map((g) => g.tokens.length)).toEqual([12, 16, 9]);
      a.forEach((g, i) => {
        expect(g.finishReason).toBe('length');
        g.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(b[i]!.logprobs[j]!, 4));
        g.entropies!.forEach((h, j) => expect(h).toBeCloseTo(b[i]!.entropies![j]!, 4));
        g.topLogprobs!.forEach((top, j) => {
          expect(top).toHaveLength(3);
          expect(top.map((t) => t.token)).toEqual(b[i]!.topLogprobs![j]!.map((t) => t.token));
          expect(top[0]!.logprob).toBeGreaterThanOrEqual(top[1]!.logprob);
          expect(top[0]!.logprob).toBeGreaterThanOrEqual(g.logprobs[j]! - 1e-9);
        });
      });
    });
  }

  it('same seed and prefixes give the same tokens; another seed differs', async () => {
    const req: GenerateRequest = { prefixes, maxNewTokens: 10, sampling, seed: 42 };
    const a = await cached.generate(req);
    const b = await cached.generate(req);
    const c = await cached.generate({ ...req, seed: 43 });
    expect(a.map((g) => g.tokens)).toEqual(b.map((g) => g.tokens));
    expect(a.map((g) => g.tokens)).not.toEqual(c.map((g) => g.tokens));
  });

  it('a row samples the same tokens alone or in a batch (one RNG stream per row)', async () => {
    const batch = await cached.generate({ prefixes, maxNewTokens: 8, sampling, seed: 9 });
    const alone = await cached.generate({ prefixes: [prefixes[0]!], maxNewTokens: 8, sampling, seed: 9 });
    expect(alone[0]!.tokens).toEqual(batch[0]!.tokens);
  });

  it('a part of a request with its rowIndices samples exactly as the whole request (tokens, log-probs, entropies)', async () => {
    const req: GenerateRequest = { prefixes, maxNewTokens: [12, 16, 9], sampling, seed: 21, returnEntropy: true, topLogprobs: 2 };
    const whole = await cached.generate(req);
    const part = await cached.generate({ ...req, prefixes: [prefixes[2]!, prefixes[0]!], maxNewTokens: [9, 12] }, { rowIndices: [2, 0] });
    expect(part).toEqual([whole[2], whole[0]]);
    const shifted = await cached.generate({ ...req, prefixes: [prefixes[2]!], maxNewTokens: 9 }); // row index 0: another stream
    expect(shifted[0]!.tokens).not.toEqual(whole[2]!.tokens);
    await expect(cached.generate(req, { rowIndices: [0] })).rejects.toThrow('rowIndices has 1 entries (expected 3, one per prefix)');
  });

  it('generated log-probs and entropies equal scoreTokens of the same sequences (T = 1)', async () => {
    const gens = await cached.generate({ prefixes, maxNewTokens: 6, sampling, seed: 5, returnEntropy: true });
    const sequences = prefixes.map((p, i) => ({ promptTokens: p, responseTokens: gens[i]!.tokens }));
    const s = tf.tidy(() => ({ ...cached.scoreTokens({ sequences, withEntropy: true }) }));
    const lp = s.logprobs.arraySync();
    const h = s.entropies!.arraySync();
    s.logprobs.dispose();
    s.entropies!.dispose();
    gens.forEach((g, i) =>
      g.tokens.forEach((_, j) => {
        expect(g.logprobs[j]).toBeCloseTo(lp[i]![j]!, 4);
        expect(g.entropies![j]).toBeCloseTo(h[i]![j]!, 4);
      }),
    );
  });

  it('works for the Qwen2 flavour (q/k/v bias, tied head)', async () => {
    const a = await make(TINY_QWEN2);
    const b = await make(TINY_QWEN2, false);
    const req: GenerateRequest = { prefixes, maxNewTokens: 8, sampling, seed: 1 };
    expect((await a.generate(req)).map((g) => g.tokens)).toEqual((await b.generate(req)).map((g) => g.tokens));
    a.dispose();
    b.dispose();
  });
});

describe('generate: stopping', () => {
  it('stops at EOS (included) and reports eos', async () => {
    const greedy = { temperature: 0, topP: 1, topK: 0 };
    const [ref] = await cached.generate({ prefixes: [[1, 300]], maxNewTokens: 10, sampling: greedy });
    const eos = ref!.tokens[4]!;
    const first = ref!.tokens.indexOf(eos);
    const p = await make(TINY_LLAMA, true, { eosTokenIds: [eos] });
    const [g] = await p.generate({ prefixes: [[1, 300]], maxNewTokens: 10, sampling: greedy });
    expect(g!.finishReason).toBe('eos');
    expect(g!.tokens).toEqual(ref!.tokens.slice(0, first + 1));
    p.dispose();
  });

  it('stops at a stop string (decoded incrementally), includes its tokens and reports it', async () => {
    const greedy = { temperature: 0, topP: 1, topK: 0 };
    const [ref] = await cached.generate({ prefixes: [[1, 305]], maxNewTokens: 12, sampling: greedy });
    const text = tokenizer.decode(ref!.tokens);
    // A stop string ending inside the 6th token's text that does not occur earlier.
    const end = tokenizer.decode(ref!.tokens.slice(0, 6)).length;
    let stop = '';
    for (let len = 2; len <= end; len++) {
      const cand = text.slice(end - len, end);
      if (text.indexOf(cand) === end - len) {
        stop = cand;
        break;
      }
    }
    expect(stop.length).toBeGreaterThan(0);
    const [g] = await cached.generate({ prefixes: [[1, 305]], maxNewTokens: 12, sampling: greedy, stop: ['never-there', stop] });
    expect(g!.finishReason).toBe('stop');
    expect(g!.stopString).toBe(stop);
    expect(g!.tokens).toEqual(ref!.tokens.slice(0, 6));
  });

  it('stops at max new tokens and at the context limit (length)', async () => {
    const long = Array.from({ length: 62 }, (_, i) => 20 + i); // max_position_embeddings 64
    const g = await cached.generate({ prefixes: [long, [1]], maxNewTokens: [10, 0], sampling, seed: 1 });
    expect(g[0]!.finishReason).toBe('length');
    expect(g[0]!.tokens).toHaveLength(3); // positions 62, 63 fed; the third token has no position left
    expect(g[1]).toEqual({ tokens: [], logprobs: [], finishReason: 'length' });
  });

  it('validates the request with messages naming the field', async () => {
    await expect(cached.generate({ prefixes: [[]], maxNewTokens: 1, sampling })).rejects.toThrow(/prefixes\[0\] is empty/);
    await expect(cached.generate({ prefixes: [[1]], maxNewTokens: 1, sampling: { ...sampling, topP: 0 } })).rejects.toThrow(/topP = 0/);
    await expect(cached.generate({ prefixes: [[1], [2]], sequenceIds: ['a', 'a'], maxNewTokens: 1, sampling })).rejects.toThrow(/duplicates/);
    await expect(cached.generate({ prefixes: [[1, 999]], maxNewTokens: 1, sampling })).rejects.toThrow(/token id 999/);
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(cached.generate({ prefixes: [[1]], maxNewTokens: 5, sampling, signal: controller.signal })).rejects.toThrow();
  });
});

describe('generate: per-sequence KV caches across calls', () => {
  it('a continuation after a tool result only encodes the new tokens and matches a cold run', async () => {
    const p = await make();
    const prompt = [1, 300, 301, 302];
    const [first] = await p.generate({ prefixes: [prompt], sequenceIds: ['t1'], maxNewTokens: 5, sampling, seed: 3 });
    expect(p.lastGenerateStats.prefillTokens).toBe(4);
    const tool = [22, 23, 24];
    const next = [...prompt, ...first!.tokens, ...tool];
    const [cont] = await p.generate({ prefixes: [next], sequenceIds: ['t1'], maxNewTokens: 6, sampling, seed: 4 });
    // cached: prompt + first 4 generated tokens; fed: the last generated token + 3 tool tokens
    expect(p.lastGenerateStats.reusedTokens).toBe(prompt.length + first!.tokens.length - 1);
    expect(p.lastGenerateStats.prefillTokens).toBe(1 + tool.length);
    const [cold] = await uncached.generate({ prefixes: [next], maxNewTokens: 6, sampling, seed: 4 });
    expect(cont!.tokens).toEqual(cold!.tokens);
    cont!.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(cold!.logprobs[j]!, 4));
    p.dispose();
  });

  it('fork copies a cache for a branch; release frees it; rows with different cached lengths batch together', async () => {
    const p = await make();
    await p.generate({ prefixes: [[1]], maxNewTokens: 1, sampling }); // builds the cached inference weights
    const base = tf.memory().numTensors;
    const [g] = await p.generate({ prefixes: [[1, 300, 301]], sequenceIds: ['root'], maxNewTokens: 4, sampling, seed: 8 });
    p.fork('root', 'branch');
    expect(p.cacheStats().sequences).toBe(2);
    const shared = [1, 300, 301, ...g!.tokens];
    const req: GenerateRequest = {
      prefixes: [[...shared, 30], [...shared, 31, 32], [1, 77]],
      sequenceIds: ['root', 'branch', 'fresh'],
      maxNewTokens: 5,
      sampling,
      seed: 2,
    };
    const out = await p.generate(req);
    expect(p.lastGenerateStats.reusedTokens).toBe(2 * (shared.length - 1));
    expect(p.lastGenerateStats.prefillTokens).toBe(2 + 3 + 2);
    const cold = await uncached.generate({ ...req, sequenceIds: undefined });
    expect(out.map((o) => o.tokens)).toEqual(cold.map((o) => o.tokens));
    for (const id of ['root', 'branch', 'fresh']) p.release(id);
    expect(p.cacheStats()).toEqual({ sequences: 0, bytes: 0 });
    expect(tf.memory().numTensors).toBe(base);
    p.dispose();
  });

  it('drops caches when the weights change (stale keys/values are never reused)', async () => {
    const p = await make();
    const [g] = await p.generate({ prefixes: [[1, 300]], sequenceIds: ['s'], maxNewTokens: 3, sampling, seed: 1 });
    randomizeVariables(p.variablesByName(), 99, 0.6);
    await p.generate({ prefixes: [[1, 300, ...g!.tokens]], sequenceIds: ['s'], maxNewTokens: 3, sampling, seed: 1 });
    expect(p.lastGenerateStats.reusedTokens).toBe(0);
    p.dispose();
  });

  it('does not leak tensors across generate calls', async () => {
    const req: GenerateRequest = { prefixes, maxNewTokens: 7, sampling, seed: 1, returnEntropy: true, topLogprobs: 2 };
    await cached.generate(req);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await cached.generate(req);
    expect(tf.memory().numTensors).toBe(before);
  });
});
