// @arpo/optimizer quickstart: the loss on plain arrays, then GRPO updates of a tiny tfjs policy until it
// emits the rewarded token. Run from the repository after `npx nx run @arpo/optimizer:build`:
//   node packages/optimizer/examples/quickstart.mjs
import { computeAdvantages } from '@arpo/advantage';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { PolicyOptimizer, policyLoss, policySamples } from '@arpo/optimizer';

// 1. The clipped surrogate on arrays (float64 reference): two sequences of three tokens, log π_old = 0.
const rho = [1.1, 1.5, 0.5, 0.5, 4, 9];
const r = policyLoss({
  logprobs: rho.map(Math.log),
  oldLogprobs: [0, 0, 0, 0, 0, 0],
  advantages: [1, 2, 1, -1, -0.5, 5],
  mask: [1, 1, 1, 1, 1, 0], // the last token is a tool result
  shape: [2, 3],
});
console.log('per-token L:', Array.from(r.perToken.pgLosses, (x) => x.toFixed(2)).join(' '));
console.log(`token-mean loss ${r.loss.toFixed(4)}; clip fractions low ${r.metrics.clipFracLow} high ${r.metrics.clipFracHigh} dual ${r.metrics.clipFracDual}`);

// 2. A tiny random policy (V = 16) and a reward of 1 for emitting token 9 after the prompt [BOS, 5].
const tokenizer = {
  specificationVersion: 'v1',
  vocabSize: 16,
  padTokenId: 0,
  bosTokenId: 1,
  eosTokenId: 2,
  encode: (text) => text.split(' ').map(Number),
  decode: (ids) => ids.join(' '),
};
const policy = await TfjsPolicy.create(
  { vocab_size: 16, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 32, initializer_range: 0.02 },
  { tokenizer, seed: 1, backend: 'wasm', log: () => {} },
);
const prompt = [1, 5];
const target = 9;
const optimizer = new PolicyOptimizer(policy, { optimizer: { learningRate: 1e-2, miniBatchSize: 1, microBatchSize: 8 } });
const pTarget = async () => Math.exp((await policy.logprobs({ sequences: [{ promptTokens: prompt, responseTokens: [target] }] }))[0][0]);
console.log(`p(target) before: ${(await pTarget()).toFixed(4)}`);

for (let step = 1; step <= 40; step++) {
  // Sample M = 8 one-token responses, score them, GRPO advantages, one update.
  const gens = await policy.generate({ prefixes: Array(8).fill(prompt), maxNewTokens: 1, sampling: { temperature: 1, topP: 1, topK: 0 }, seed: step });
  const group = {
    promptId: 'q',
    trajectories: gens.map((g, i) => ({ id: `q-${i}`, promptId: 'q', promptTokens: prompt, responseTokens: g.tokens, lossMask: [1], samplerLogprobs: g.logprobs, parentId: null, branchPoint: null })),
    rewards: gens.map((g) => (g.tokens[0] === target ? 1 : 0)),
  };
  const m = await optimizer.update(policySamples([group], [computeAdvantages(group)]));
  if (step % 10 === 0) {
    console.log(
      `update ${step}: reward ${(group.rewards.reduce((a, b) => a + b) / 8).toFixed(3)}  p(target) ${(await pTarget()).toFixed(4)}  ` +
        `loss ${m.loss.toFixed(4)}  entropy ${m.entropy.toFixed(4)}  grad norm ${m.gradNorm.toFixed(4)}  lr ${m.lr}`,
    );
  }
}
optimizer.dispose();
policy.dispose();
