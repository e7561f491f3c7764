import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEEP_SEARCH_MODEL_SHA256, DEMO_MODEL_FILES, DEMO_MODEL_RECIPE, DEMO_MODEL_SHA256, deepSearchModelPath, demoModelPath } from './index.js';

describe('@arpo/demo-model', () => {
  let policy: TfjsPolicy;
  beforeAll(async () => {
    policy = await TfjsPolicy.load(demoModelPath(), { seed: 0 });
  });
  afterAll(() => policy?.dispose());

  it('ships the HF files, byte for byte the checkpoint the model card describes', () => {
    const dir = demoModelPath();
    for (const f of DEMO_MODEL_FILES) {
      const digest = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
      expect([f, digest]).toEqual([f, DEMO_MODEL_SHA256[f]]);
    }
  });

  it('loads with @arpo/policy-tfjs as the recipe\'s architecture', () => {
    const c = policy.config;
    expect(c.num_hidden_layers).toBe(DEMO_MODEL_RECIPE.model.overrides.num_hidden_layers);
    expect([c.hidden_size, c.num_attention_heads, c.num_key_value_heads, c.intermediate_size]).toEqual([128, 4, 2, 344]);
    // parameters by hand: V·d embedding + L·(q d·d + k,v d·(kv·d/h) + o d·d + SwiGLU 3·d·I + 2 norms d) + norm d + untied head V·d
    const [V, d, L, I, kv] = [c.vocab_size, 128, 6, 344, 2 * 32];
    const expected = V * d + L * (d * d + 2 * d * kv + d * d + 3 * d * I + 2 * d) + d + V * d;
    expect(expected).toBe(1_252_992);
    expect(policy.trainableVariables().reduce((a, v) => a + v.size, 0)).toBe(expected);
    expect(policy.tokenizer.vocabSize).toBe(V);
  });

  const estonia = 'Use <search> and <python> if needed. Answer in \\boxed{}.\nQuestion: What is the capital of Estonia?\n';

  it('is a cold start that under-uses its tool: on a held-out question it plans a search about half of the time', async () => {
    const prompt = policy.tokenizer.encode(estonia);
    const [search, guess] = await policy.logprobs({
      sequences: ['<think> I need', '<think> I think'].map((t) => ({ promptTokens: prompt, responseTokens: policy.tokenizer.encode(t) })),
    });
    const p = (lp: number[]) => Math.exp(lp.reduce((a, v) => a + v, 0));
    // Stage 2 of the recipe: half of its demonstrations answer from memory (`missing-call`).
    expect(p(search!)).toBeGreaterThan(0.2);
    expect(p(guess!)).toBeGreaterThan(0.2);
    expect(p(search!) + p(guess!)).toBeGreaterThan(0.9); // the two openings of its demonstrations
  });

  it('is trained: once it plans a search, its greedy first turn queries the held-out country', async () => {
    const [g] = await policy.generate({
      prefixes: [policy.tokenizer.encode(estonia + '<think> I need')],
      maxNewTokens: 40,
      stop: ['</search>'],
      sampling: { temperature: 0, topP: 1, topK: 0 },
      seed: 0,
    });
    const text = policy.tokenizer.decode(g!.tokens, { skipSpecialTokens: true });
    expect(text).toMatch(/^ the capital of Estonia\. I will search for it\. <\/think>\n<search> capital of Estonia <\/search>$/);
  });
});

describe('@arpo/demo-model deep-search cold start', () => {
  it('ships the HF files, byte for byte the checkpoint the model card describes', () => {
    const dir = deepSearchModelPath();
    for (const f of DEMO_MODEL_FILES) {
      const digest = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
      expect([f, digest]).toEqual([f, DEEP_SEARCH_MODEL_SHA256[f]]);
    }
  });

  it('is the knowledge cold start\'s architecture and tokenizer with a 768-position context', async () => {
    const policy = await TfjsPolicy.load(deepSearchModelPath(), { seed: 0 });
    try {
      expect(policy.config.max_position_embeddings).toBe(768);
      expect(policy.config.num_hidden_layers).toBe(6);
      expect(readFileSync(join(deepSearchModelPath(), 'tokenizer.json'), 'utf8')).toBe(readFileSync(join(demoModelPath(), 'tokenizer.json'), 'utf8'));
      // greedy: its first turn plans the search for a held-out question's capital in the demonstrations' format
      const text = 'Use <search> and <python> if needed. Answer in \\boxed{}.\nQuestion: What is the international calling code of the country in Europe whose capital is Tallinn?\n';
      const [g] = await policy.generate({
        prefixes: [policy.tokenizer.encode(text + '<think> I search')],
        maxNewTokens: 40,
        stop: ['</search>'],
        sampling: { temperature: 0, topP: 1, topK: 0 },
        seed: 0,
      });
      // The plan copies the unseen capital; the query, spelled character by character, slips one letter (the model
      // card's limitation: copying errors on unseen names).
      expect(policy.tokenizer.decode(g!.tokens, { skipSpecialTokens: true })).toBe(' the capital Tallinn. </think>\n<search> capital city Tallink </search>');
    } finally {
      policy.dispose();
    }
  });
});
