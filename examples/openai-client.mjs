// Research example: `arpo serve`'s completions server in front of a tfjs policy, called by the official `openai`
// client (as any OpenAI-compatible tool would), then ARPO rollouts over the same server through @arpo/policy-openai.
// Run from a project that installed @arpo/policy-openai, @arpo/policy-tfjs, @arpo/rollout, @arpo/testing and openai.
import OpenAI from 'openai';
import { createRng } from '@arpo/core';
import { OpenAIPolicy, serveCompletions } from '@arpo/policy-openai';
import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';
import { RolloutEngine } from '@arpo/rollout';
import { ToyToolTokenizer, echoTool, tinyTfjsPolicy } from '@arpo/testing';

await selectBackend('wasm', { log: () => {} });
const tokenizer = new ToyToolTokenizer();
const model = await tinyTfjsPolicy(TfjsPolicy, tokenizer, { seed: 4 });
const server = await serveCompletions({ policy: model, port: 0, modelName: 'tiny' });
try {
  // 1. The official client: a completion with log-probs; the stop string is left out of the text, as OpenAI does.
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused' });
  const models = await client.models.list();
  const completion = await client.completions.create({ model: 'tiny', prompt: '<think> capital of France', max_tokens: 8, logprobs: 2, temperature: 0, stop: ['</search>'] });
  const choice = completion.choices[0];
  console.log(`models ${models.data.map((m) => m.id).join(', ')}; text ${JSON.stringify(choice.text)}; finish ${choice.finish_reason}; ${choice.logprobs.token_logprobs.length} log-probs`);
  if (choice.logprobs.token_logprobs.some((lp) => !(lp <= 0))) throw new Error('log-probs must be <= 0');

  // 2. ARPO rollouts against the same server (several servers would be load-balanced).
  const policy = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'tiny' });
  const engine = new RolloutEngine({ policy, tools: [echoTool('search'), echoTool('python')], config: { rollouts: 4, maxResponseTokens: 48 }, rng: createRng(3) });
  const { groups, metrics } = await engine.run([{ promptId: 'q', promptTokens: tokenizer.encode('<think> capital of France') }]);
  console.log(`rollout over HTTP: ${groups[0].trajectories.length} trajectories, ${metrics.branches} branches, tool calls ${JSON.stringify(metrics.toolCallsExecuted)}`);
  if (groups[0].trajectories.length !== 4) throw new Error('expected M = 4');
  console.log('openai client and served policy: ok');
} finally {
  await server.close();
  model.dispose();
}
