// Research example: your own Policy (here a scripted "model" in plain JavaScript), checked by @arpo/testing's
// conformance suite, then rolled out by ARPO's engine with a plain Tool[] — no tfjs, no native modules. Run from a
// project that installed @arpo/core, @arpo/rollout and @arpo/testing.
import { createRng } from '@arpo/core';
import { RolloutEngine } from '@arpo/rollout';
import { CharTokenizer, policyConformance } from '@arpo/testing';

const tokenizer = new CharTokenizer();

/** Searches once, then answers; log-probs and entropies made up but well-formed; honours stop strings and seeds. */
class MyPolicy {
  specificationVersion = 'v1';
  modelId = 'my-scripted-policy';
  tokenizer = tokenizer;
  async generate(request) {
    return request.prefixes.map((prefix, i) => {
      const text = tokenizer.decode(prefix);
      let out = text.includes('</search>') ? '<answer>Paris</answer>' : '<search>capital of France</search>';
      let finishReason = text.includes('</search>') ? 'eos' : 'stop';
      let stopString;
      for (const s of request.stop ?? []) {
        const at = out.indexOf(s);
        if (s && at >= 0 && (stopString === undefined || at + s.length < out.length)) {
          out = out.slice(0, at + s.length);
          stopString = s;
          finishReason = 'stop';
        }
      }
      const cap = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i];
      let tokens = [...tokenizer.encode(out), ...(finishReason === 'eos' ? [tokenizer.eosTokenId] : [])];
      if (tokens.length > cap) {
        tokens = tokens.slice(0, cap);
        finishReason = 'length';
        stopString = undefined;
      }
      const topLogprobs = request.topLogprobs ? tokens.map((t) => [{ token: t, logprob: -0.1 }]) : undefined;
      return { tokens, logprobs: tokens.map(() => -0.1), entropies: tokens.map(() => 0.3), ...(topLogprobs ? { topLogprobs } : {}), finishReason, ...(stopString ? { stopString } : {}) };
    });
  }
}

// 1. The conformance suite (normally inside your test runner: for (const c of checks) it(c.name, c.run)).
for (const check of policyConformance(() => new MyPolicy())) {
  await check.run();
  console.log(`conformance ok: ${check.name}`);
}

// 2. ARPO rollouts over it with a plain Tool[].
const search = { specificationVersion: 'v1', name: 'search', execute: async () => ({ status: 'ok', text: 'Paris is the capital of France.' }) };
const engine = new RolloutEngine({ policy: new MyPolicy(), tools: [search], config: { rollouts: 4, entropySource: 'full' }, rng: createRng(7) });
const { groups, metrics } = await engine.run([{ promptId: 'q', promptTokens: tokenizer.encode('Capital of France?') }]);
const t = groups[0].trajectories[0];
console.log(`trajectories ${groups[0].trajectories.length}, searches executed ${metrics.toolCallsExecuted.search}, first: ${JSON.stringify(tokenizer.decode(t.responseTokens))}`);
if (groups[0].trajectories.length !== 4) throw new Error('expected M = 4');
console.log('own policy: ok');
