// Runnable README example: node examples/quickstart.mjs (after `npx nx run @arpo/policy-openai:build`).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIPolicy, serveCompletions } from '@arpo/policy-openai';
import { BuiltinTokenizer, TfjsPolicy } from '@arpo/policy-tfjs';

// 1. A checkpoint folder to serve (here a tiny random model; normally the trainer's output).
const tokenizer = BuiltinTokenizer.train(['What is the capital of France? <search>capital of France</search> <answer>Paris</answer>'], { vocabSize: 400, minFrequency: 1 });
const dir = mkdtempSync(join(tmpdir(), 'arpo-serve-'));
const model = await TfjsPolicy.create(
  { vocab_size: 400, hidden_size: 64, intermediate_size: 172, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256 },
  { tokenizer, seed: 1, log: () => {} },
);
await model.save(dir);

// 2. Serve any Policy over the OpenAI-compatible completions API (what `arpo serve` does).
const served = await TfjsPolicy.load(dir, { log: () => {} });
const server = await serveCompletions({ policy: served, port: 0, modelName: 'tiny-arpo' });
console.log(`serving ${server.modelName} at ${server.url}/v1`);

// 3. Any OpenAI client can call it: text or token-id prompts, logprobs, stop, seed.
const res = await fetch(`${server.url}/v1/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'tiny-arpo', prompt: 'What is the capital of France?', max_tokens: 5, logprobs: 2, seed: 7 }),
});
const [choice] = (await res.json()).choices;
console.log('text:', JSON.stringify(choice.text), '| finish:', choice.finish_reason, '| token ids:', choice.token_ids);
console.log('top-2 at position 0:', choice.logprobs.top_logprobs[0]);

// 4. OpenAIPolicy: the Policy contract over HTTP (vLLM, SGLang, llama.cpp or this server). Same seed, same tokens.
const remote = new OpenAIPolicy({ servers: [server.url], tokenizer: served.tokenizer });
const request = {
  prefixes: [tokenizer.encode('What is the capital of France?'), tokenizer.encode('<search>')],
  maxNewTokens: 8,
  sampling: { temperature: 1, topP: 1, topK: 0 },
  stop: ['</search>'],
  topLogprobs: 5,
  seed: 42,
};
const [viaHttp, inProcess] = [await remote.generate(request), await model.generate(request)];
viaHttp.forEach((g, i) => console.log(`row ${i}: ${g.tokens.length} tokens, ${g.finishReason}, identical to in-process: ${JSON.stringify(g.tokens) === JSON.stringify(inProcess[i].tokens)}`));
const [first] = viaHttp;
console.log(`model ${remote.modelId}; position 0: top-5 entropy ${first.topKEntropies[0].toFixed(4)} nats, full entropy in [${first.entropyBounds[0].lower.toFixed(4)}, ${first.entropyBounds[0].upper.toFixed(4)}]`);

await server.close();
served.dispose();
model.dispose();
