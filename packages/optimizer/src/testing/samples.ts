// Test-only: synthetic RL batches for the tiny policy (V = 16).
import type { PolicySample } from '../policy-sample.js';
import { lcg } from './fixtures.js';

/**
 * `prompts` prompts × `perPrompt` sequences: prompt [BOS, 3 + p], responses of 2–7 tokens with a
 * "tool result" span (mask 0) in longer ones, one advantage per sequence (both signs).
 */
export function syntheticSamples(prompts: number, perPrompt: number, seed = 7): PolicySample[] {
  const r = lcg(seed);
  const out: PolicySample[] = [];
  for (let p = 0; p < prompts; p++) {
    for (let j = 0; j < perPrompt; j++) {
      const n = 2 + Math.floor(r() * 6);
      const responseTokens = Array.from({ length: n }, () => 3 + Math.floor(r() * 13));
      const lossMask = responseTokens.map((_, t) => (n >= 5 && t >= 2 && t < 4 ? 0 : 1));
      const a = (j % 2 ? -1 : 1) * (0.3 + r());
      out.push({
        id: `p${p}-${j}`,
        promptId: `p${p}`,
        promptTokens: [1, 3 + p],
        responseTokens,
        lossMask,
        advantages: lossMask.map((m) => m * a),
      });
    }
  }
  return out;
}

/** Sampler log-probs = the policy's own ± noise (so ratios leave 1 and clipping happens). */
export function withSamplerLogprobs(samples: PolicySample[], logprobs: number[][], noise: number, seed = 11): PolicySample[] {
  const r = lcg(seed);
  return samples.map((s, i) => ({ ...s, samplerLogprobs: logprobs[i]!.map((x) => x + noise * (2 * r() - 1)) }));
}
