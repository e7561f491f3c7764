import type { Tokenizer } from '@arpo/core';

/**
 * A one-layer Llama-architecture config small enough for unit tests (about 10k parameters at V = 64): near-uniform
 * outputs at initialisation, seeded.
 */
export function tinyModelConfig(vocabSize: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 256,
    initializer_range: 0.02,
    ...overrides,
  };
}

/** What {@link tinyTfjsPolicy} needs of `@arpo/policy-tfjs`' `TfjsPolicy` (passed in, so this package does not depend on tfjs). */
export interface TfjsPolicyFactory<P> {
  create(config: Record<string, unknown>, options: { tokenizer: Tokenizer; seed?: number; log?: (message: string) => void }): Promise<P>;
}

/**
 * A tiny random tfjs policy over `tokenizer`: `tinyTfjsPolicy(TfjsPolicy, new ToyToolTokenizer())`. The class is a
 * parameter so that `@arpo/testing` stays free of tfjs.
 */
export function tinyTfjsPolicy<P>(factory: TfjsPolicyFactory<P>, tokenizer: Tokenizer, options: { seed?: number; config?: Record<string, unknown> } = {}): Promise<P> {
  return factory.create(tinyModelConfig(tokenizer.vocabSize, options.config), { tokenizer, seed: options.seed ?? 1, log: () => undefined });
}
