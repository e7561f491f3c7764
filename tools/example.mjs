#!/usr/bin/env node
// One ARPO step's math, end to end, on a hand-made rollout tree for one prompt:
//   segment entropy → ΔH → branch decision (paper Eq. 3–5) → hierarchical reward (Eq. 8)
//   → GRPO advantages → soft and hard attribution over the tree (§3.2).
// The policy and the tools are played by fixed text here; `@arpo/rollout` (planned) drives real ones.
import { computeAdvantages } from '@arpo/advantage';
import { createRng, parseArpoConfig, RolloutGroupSchema } from '@arpo/core';
import { EntropyTracker, segmentEntropy, segmentEntropyOptions, shouldBranch, topKEntropies } from '@arpo/entropy';
import { hierarchicalReward } from '@arpo/reward';

const config = parseArpoConfig({ seed: 7, rollout: { rollouts: 4, initialRollouts: 2 } });
const { rollout } = config;
const rng = createRng(config.seed);
const VOCAB = 32_000;

// --- 1. Entropy of the first k tokens after a tool result, and the branch rule -------------------------
/** Fake top-10 log-probs for `n` positions: peaked (confident) or flat (uncertain) distributions. */
function topLogprobs(n, temperature, r) {
  return Array.from({ length: n }, () => {
    const logits = Array.from({ length: 10 }, (_, j) => -j / temperature + 0.1 * r.normal());
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0) + 1e-3);
    return logits.map((z) => z - lse);
  });
}

const tracker = new EntropyTracker({ baselineReset: 'per-step' });
const segOptions = segmentEntropyOptions(rollout, VOCAB);
const dataRng = rng.split('fake-logprobs');
const branchRng = rng.split('branching');
console.log(`ARPO step on one prompt: M = ${rollout.rollouts}, N = ${rollout.initialRollouts}, α = ${rollout.branchProbability}, β = ${rollout.entropyWeight}, k = ${rollout.entropyWindow}\n`);
console.log('1. Entropy after each segment and the branch decision (reference stochastic rule)');
const segments = [
  ['t0', 'response start', 0.3],
  ['t0', 'after search result', 1.5],
  ['t1', 'response start', 0.3],
  ['t1', 'after python result', 0.2],
];
for (const [id, where, temperature] of segments) {
  const h = segmentEntropy(topKEntropies(topLogprobs(20, temperature, dataRng)), segOptions);
  const { deltaH } = tracker.observe(id, h);
  const decision = shouldBranch(deltaH, rollout, branchRng);
  console.log(
    `   ${id} ${where.padEnd(20)} H = ${h.toFixed(4)}  ΔH = ${deltaH.toFixed(4).padStart(7)}  P(branch) = ${decision.probability.toFixed(4)}  → ${decision.branch ? 'branch' : 'continue'}`,
  );
}

// --- 2. A rollout tree: two global samples, two branches forked after t0's search result ---------------
const words = new Map();
const tok = (text) => text.split(/(\s+)/).filter(Boolean).map((w) => (words.has(w) ? words.get(w) : (words.set(w, words.size + 3), words.size + 2)));
const question = 'What is the capital of the country whose largest city is Sydney?';
const gold = 'Canberra';
const search = '<think>Sydney is in Australia.</think> <search>capital of Australia</search>';
const result = ' <result>\nPage 1: Canberra is the capital city of Australia.\n</result>';
const responses = {
  t0: [search, result, '<think>The result says Canberra.</think> <python>print("Canberra")</python>', ' <result>\nCanberra\n</result>', '<answer>\\boxed{Canberra}</answer>'],
  t1: ['<think>I remember it.</think> <answer>\\boxed{Sydney}</answer>'],
  t2: [search, result, '<think>Canberra.</think> <answer>\\boxed{Canberra}</answer>'],
  t3: [search, result, '<think>Probably Sydney', ' then.</think> <answer>The answer is \\boxed{Sydney}.'],
};
const parents = { t2: ['t0', 2], t3: ['t0', 2] }; // forked after segment 2 (the search result) of t0

const group = { promptId: 'q1', promptTokens: tok(question), trajectories: [] };
for (const [id, parts] of Object.entries(responses)) {
  const responseTokens = [];
  const lossMask = [];
  const segs = [];
  for (const part of parts) {
    const ids = tok(part);
    const isTool = part.startsWith(' <result>');
    segs.push(
      isTool
        ? { kind: 'tool-result', start: responseTokens.length, end: responseTokens.length + ids.length, call: { tool: 'search', input: '', output: part, status: 'ok', durationMs: 0, attempts: 1, cached: false } }
        : { kind: 'model', start: responseTokens.length, end: responseTokens.length + ids.length, finishReason: 'eos' },
    );
    responseTokens.push(...ids);
    lossMask.push(...ids.map(() => (isTool ? 0 : 1)));
  }
  const parent = parents[id];
  const branchPoint = parent ? segs[parent[1] - 1].end : null;
  group.trajectories.push({
    id,
    promptId: 'q1',
    promptTokens: group.promptTokens,
    responseTokens,
    lossMask,
    segments: segs,
    parentId: parent ? parent[0] : null,
    branchPoint,
    origin: parent ? 'branch' : 'global',
    toolCalls: parts.filter((p) => p.startsWith(' <result>')).length,
    finishReason: 'eos',
  });
}

// --- 3. Rewards, advantages, attribution ---------------------------------------------------------------
console.log('\n2. Hierarchical reward (format → token F1 → multi-tool bonus)');
const rewards = Object.entries(responses).map(([id, parts]) => {
  const { reward, formatError, components } = hierarchicalReward(parts.join(''), gold, config.reward);
  console.log(`   ${id}: reward = ${reward.toFixed(2).padStart(5)}  ${formatError ? `(format error: ${formatError})` : `(F1 = ${components.f1}, bonus = ${components.multiToolBonus})`}`);
  return reward;
});

const scored = RolloutGroupSchema.parse({ ...group, rewards });
const soft = computeAdvantages(scored, { ...config.advantage, estimator: 'soft' });
const hard = computeAdvantages(scored, { ...config.advantage, estimator: 'hard' });
console.log(`\n3. GRPO advantages (unbiased std, ε = ${config.advantage.eps}): ${soft.scalarAdvantages.map((a) => a.toFixed(4)).join(', ')}`);
console.log('\n4. Per-token advantage of the first model token, the first token after the fork, and the last token');
for (let i = 0; i < scored.trajectories.length; i++) {
  const t = scored.trajectories[i];
  const at = (arr, j) => (j < arr.length ? arr[j].toFixed(4).padStart(7) : '      -');
  const fork = scored.trajectories[2].branchPoint; // first token after the shared prefix
  const last = t.responseTokens.length - 1;
  console.log(
    `   ${`${t.id} (${t.parentId ? `branch of ${t.parentId} at token ${t.branchPoint}` : 'global'})`.padEnd(32)}  soft: ${at(soft.trajectories[i].advantages, 0)} ${at(soft.trajectories[i].advantages, fork)} ${at(soft.trajectories[i].advantages, last)}   hard: ${at(hard.trajectories[i].advantages, 0)} ${at(hard.trajectories[i].advantages, fork)} ${at(hard.trajectories[i].advantages, last)}`,
  );
}
console.log('\nHard attribution gives the 3 trajectories that share t0\'s prefix the mean of their advantages on those tokens;');
console.log('soft (the reference default) keeps each trajectory\'s own advantage on every token.');
