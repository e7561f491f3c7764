// Research example: your own tools (plain Tool objects), your own reward and your own advantage estimator
// (registered by name), trained with @arpo/loop on a tiny random tfjs policy. Run from a project that installed
// @arpo/loop, @arpo/core, @arpo/advantage, @arpo/policy-tfjs and @arpo/testing.
import { registerAdvantageEstimator } from '@arpo/advantage';
import { ArpoLoop } from '@arpo/loop';
import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';
import { ToyToolTokenizer, tinyTfjsPolicy } from '@arpo/testing';

await selectBackend('wasm', { log: () => {} });
const tokenizer = new ToyToolTokenizer(); // tool tags are single tokens, so a random model calls tools often
const policy = await tinyTfjsPolicy(TfjsPolicy, tokenizer, { seed: 4 });

// 1. Tools: anything with { specificationVersion, name, execute }.
const capitals = { Australia: 'Canberra', France: 'Paris' };
const search = {
  specificationVersion: 'v1',
  name: 'search',
  async execute(query) {
    const hit = Object.entries(capitals).find(([country]) => query.includes(country));
    return hit ? { status: 'ok', text: `The capital of ${hit[0]} is ${hit[1]}.` } : { status: 'ok', text: 'No results.' };
  },
};

// 2. Reward: 1 when the answer names the capital, a small bonus for searching, 0 otherwise.
const reward = {
  specificationVersion: 'v1',
  name: 'names-the-capital',
  score: ({ response, groundTruth }) => ({ reward: (response.includes(groundTruth) ? 1 : 0) + (response.includes('</search>') ? 0.1 : 0) }),
};

// 3. Advantage estimator: RLOO (r_i minus the mean of the other rewards), selected by name in the config.
registerAdvantageEstimator('rloo', (group) => {
  const sum = group.rewards.reduce((a, b) => a + b, 0);
  const scalarAdvantages = group.rewards.map((r) => r - (sum - r) / (group.rewards.length - 1));
  const trajectories = group.trajectories.map((t, i) => ({
    id: t.id,
    advantages: Float32Array.from(t.responseTokens, () => scalarAdvantages[i]),
    lossMask: Uint8Array.from(t.lossMask),
  }));
  return { scalarAdvantages, trajectories };
});

const loop = new ArpoLoop({
  policy,
  tools: [search],
  reward,
  config: {
    seed: 1,
    rollout: { rollouts: 6, initialRollouts: 3, maxResponseTokens: 48, maxPromptTokens: 16, callLimit: 2 },
    advantage: { estimator: 'rloo' },
    optimizer: { learningRate: 1e-3, trainBatchSize: 2, miniBatchSize: 2, microBatchSize: 12 },
  },
  totalSteps: 3,
});
const prompts = [
  { promptId: 'au', promptTokens: tokenizer.encode('<think> capital of Australia'), groundTruth: ' Canberra' },
  { promptId: 'fr', promptTokens: tokenizer.encode('<think> capital of France'), groundTruth: ' Paris' },
];
for (let step = 1; step <= 3; step++) {
  const { groups, advantages, rollout } = await loop.run(prompts);
  const rewards = groups.flatMap((g) => g.rewards);
  if (groups.some((g) => g.trajectories.length !== 6)) throw new Error('expected M = 6 trajectories per group');
  if (advantages.some((a) => a.estimator !== 'rloo')) throw new Error('expected the registered estimator');
  console.log(
    `step ${step}: ${groups.length} groups × ${groups[0].trajectories.length}, searches ${rollout.toolCallsExecuted.search ?? 0}, ` +
      `branches ${rollout.branches}, mean reward ${(rewards.reduce((a, b) => a + b, 0) / rewards.length).toFixed(3)}`,
  );
}
loop.dispose();
policy.dispose();
console.log('custom tools, reward and estimator: ok');
