// Test-only fixtures (not exported): the wasm backend, a tiny tokenizer and tiny tfjs policies.
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '@arpo/core';
import { TfjsPolicy, selectBackend } from '@arpo/policy-tfjs';

/** Activates the wasm backend once per test file (quietly). */
export async function useWasm(): Promise<string> {
  if (tf.getBackend() !== 'wasm') await selectBackend('wasm', { log: () => {} });
  return tf.getBackend();
}

/** A tokenizer of `vocabSize` ids: 0 pad, 1 BOS, 2 EOS, the rest plain tokens named `t<id>`. */
export function tinyTokenizer(vocabSize = 16): Tokenizer {
  return {
    specificationVersion: 'v1',
    vocabSize,
    padTokenId: 0,
    bosTokenId: 1,
    eosTokenId: 2,
    encode: (text) => text.split(/\s+/).filter(Boolean).map((w) => Number(w.slice(1))),
    decode: (ids, options) => ids.filter((i) => !(options?.skipSpecialTokens && i <= 2)).map((i) => ` t${i}`).join(''),
  };
}

/** A one-layer Llama-architecture model over V = 16 tokens, small initial weights (near-uniform outputs). */
export const TINY_CONFIG = {
  model_type: 'llama',
  vocab_size: 16,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 32,
  initializer_range: 0.02,
} as const;

export function tinyPolicy(seed = 1, config: Record<string, unknown> = {}): Promise<TfjsPolicy> {
  return TfjsPolicy.create({ ...TINY_CONFIG, ...config }, { tokenizer: tinyTokenizer(Number(config['vocab_size'] ?? 16)), seed, backend: 'current' });
}

/** Copies of every trainable variable's values. */
export function snapshotWeights(policy: { trainableVariables(): tf.Variable[] }): Float32Array[] {
  return policy.trainableVariables().map((v) => v.dataSync().slice() as Float32Array);
}

/** Max |a − b| over two weight snapshots. */
export function maxWeightDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i]![j]!)))));
  return d;
}

/** A deterministic LCG in [0, 1). */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}
