// Runnable README example: node examples/quickstart.mjs (after `npx nx run @arpo/policy-tfjs:build`).
import * as tf from '@tensorflow/tfjs';
import { BuiltinTokenizer, TfjsPolicy } from '@arpo/policy-tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// 1. A tokenizer for a tiny model trained from scratch (ARPO tags are single tokens).
const tokenizer = BuiltinTokenizer.train(
  ['What is the capital of France? <search>capital of France</search>', '<result>Paris</result> <answer>\\boxed{Paris}</answer>'],
  { vocabSize: 400, minFrequency: 1 },
);

// 2. A tiny random Llama-architecture model (HF config.json field names).
const policy = await TfjsPolicy.create(
  { vocab_size: 400, hidden_size: 64, intermediate_size: 172, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256 },
  { tokenizer, seed: 1 },
);
console.log(`${policy.modelId}: ${policy.numParameters()} parameters on ${policy.backend.backend}`);

// 3. Generate with per-token log-probs and on-device entropies.
const prompt = [tokenizer.bosTokenId, ...tokenizer.encode('What is the capital of France?')];
const request = {
  prefixes: [prompt],
  sequenceIds: ['traj-0'],
  maxNewTokens: 6,
  sampling: { temperature: 1, topP: 1, topK: 0 },
  stop: ['</search>'],
  returnEntropy: true,
  topLogprobs: 2,
  seed: 42,
};
const [gen] = await policy.generate(request);
console.log('tokens   ', gen.tokens, gen.finishReason);
console.log('logprobs ', gen.logprobs.map((x) => x.toFixed(4)).join(' '));
console.log('entropies', gen.entropies.map((x) => x.toFixed(4)).join(' '));
console.log('top-2 at 0', gen.topLogprobs[0].map((t) => `${t.token}:${t.logprob.toFixed(4)}`).join(' '));

// 4. Score the same tokens (differentiable; here inside tf.tidy, read back as arrays).
const scored = tf.tidy(() => {
  const s = policy.scoreTokens({ sequences: [{ promptTokens: prompt, responseTokens: gen.tokens }], withEntropy: true });
  return [s.logprobs.arraySync()[0], s.entropies.arraySync()[0]];
});
console.log('scored   ', scored[0].map((x) => x.toFixed(4)).join(' '));

// 5. Save in the Hugging Face layout and load it back.
const dir = mkdtempSync(join(tmpdir(), 'arpo-tiny-'));
await policy.save(dir);
const loaded = await TfjsPolicy.load(dir);
const [again] = await loaded.generate({ ...request, sequenceIds: undefined });
console.log('reloaded generates the same tokens:', JSON.stringify(again.tokens) === JSON.stringify(gen.tokens));
policy.dispose();
loaded.dispose();
