import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { policyConformance } from '@arpo/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { serveCompletions, type CompletionsServer } from './completions-server.js';
import { OpenAIPolicy } from './openai-policy.js';
import { createTinyPolicy, tokenizer } from './testing/tiny-setup.js';

// @arpo/testing's Policy conformance suite against OpenAIPolicy, talking to `arpo serve`'s server over a socket.
let served: TfjsPolicy;
let server: CompletionsServer;
beforeAll(async () => {
  served = await createTinyPolicy(4);
  server = await serveCompletions({ policy: served, port: 0, modelName: 'tiny' });
});
afterAll(async () => {
  await server.close();
  served.dispose();
});

describe('OpenAIPolicy (over a served TfjsPolicy) meets the Policy conformance suite', () => {
  for (const c of policyConformance(() => new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'tiny' }), { prompt: tokenizer.encode('<think> capital of France') })) {
    it(c.name, c.run, 60_000);
  }
});
