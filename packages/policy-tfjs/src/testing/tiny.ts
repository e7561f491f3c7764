// Test-only fixtures: tiny configs and a tokenizer covering their vocabularies.
import type { ModelConfigInput } from '../model-config.js';
import { BuiltinTokenizer } from '../builtin-tokenizer.js';

/** 2 layers, 4 query heads sharing 2 KV heads, hidden 16, vocab 300 (fits the built-in tokenizer's fixed tokens). */
export const TINY_LLAMA: ModelConfigInput = {
  model_type: 'llama',
  vocab_size: 400,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 64,
  rope_theta: 10000,
  rms_norm_eps: 1e-6,
  initializer_range: 0.5,
};

/** Qwen2 flavour (q/k/v bias) with tied embeddings. */
export const TINY_QWEN2: ModelConfigInput = { ...TINY_LLAMA, model_type: 'qwen2', tie_word_embeddings: true };

export const WORDS = [' the', ' capital', ' of', ' France', ' is', ' Paris', 'What', ' answer', ' search', ' result'];

/** A built-in tokenizer with a few words (vocabulary below 400). */
export function tinyTokenizer(): BuiltinTokenizer {
  return BuiltinTokenizer.fromWords(WORDS);
}
