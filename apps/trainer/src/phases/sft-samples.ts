import type { Tokenizer } from '@arpo/core';
import type { SftSample } from '@arpo/optimizer';
import type { Demonstration } from '@arpo/tasks';

/**
 * Tokenizes a demonstration the way a rollout produces it: the prompt, then each segment encoded on its own
 * (model text: loss mask 1; tool results: 0), then EOS (mask 1) so the model learns to stop after `</answer>`.
 */
export function demonstrationSample(demo: Demonstration, tokenizer: Tokenizer): SftSample {
  const responseTokens: number[] = [];
  const lossMask: number[] = [];
  for (const seg of demo.segments) {
    const ids = tokenizer.encode(seg.text);
    const m = seg.role === 'model' ? 1 : 0;
    for (const id of ids) {
      responseTokens.push(id);
      lossMask.push(m);
    }
  }
  responseTokens.push(tokenizer.eosTokenId);
  lossMask.push(1);
  return { id: demo.id, promptTokens: tokenizer.encode(demo.prompt), responseTokens, lossMask };
}
