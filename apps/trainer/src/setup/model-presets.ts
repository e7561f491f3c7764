import { STANDARD_CONFIGS, type ModelConfigInput } from '@arpo/policy-tfjs';

/**
 * Architectures of models made from scratch (Llama flavour). `demo` is sized for a cold start that learns tool
 * use in minutes on 2 CPU cores; `tiny` and `small` are the benchmark sizes of `@arpo/policy-tfjs`.
 * `vocab_size` is replaced by the trained tokenizer's size.
 */
export const MODEL_PRESETS: Readonly<Record<'demo' | 'tiny' | 'small', ModelConfigInput>> = {
  demo: {
    model_type: 'llama',
    vocab_size: 640,
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    intermediate_size: 168,
    max_position_embeddings: 1024,
    tie_word_embeddings: true,
  },
  tiny: { ...STANDARD_CONFIGS.tiny, max_position_embeddings: 512 },
  small: STANDARD_CONFIGS.small,
};
