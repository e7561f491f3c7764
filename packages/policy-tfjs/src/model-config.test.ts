import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { STANDARD_CONFIGS, modelDims, parseModelConfig } from './model-config.js';

describe('model config (HF config.json fields)', () => {
  it('fills HF defaults, keeps unknown keys and derives the dimensions', () => {
    const c = parseModelConfig({ vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2, transformers_version: '4.45' });
    expect(c).toMatchObject({ model_type: 'llama', max_position_embeddings: 2048, rope_theta: 10000, rms_norm_eps: 1e-6, tie_word_embeddings: false, hidden_act: 'silu', transformers_version: '4.45' });
    expect(modelDims(c)).toEqual({ vocab: 10, hidden: 8, intermediate: 12, layers: 1, heads: 2, kvHeads: 2, headDim: 4, groups: 1, maxPositions: 2048, ropeTheta: 10000, eps: 1e-6, tied: false, qkvBias: false });
    expect(modelDims(parseModelConfig({ ...STANDARD_CONFIGS.small, model_type: 'qwen2' }))).toMatchObject({ groups: 2, headDim: 32, qkvBias: true });
  });

  it('rejects invalid configs naming field, value and expectation', () => {
    const base = STANDARD_CONFIGS.tiny;
    const bad = (patch: object): ArpoConfigError => {
      try {
        parseModelConfig({ ...base, ...patch });
      } catch (e) {
        return e as ArpoConfigError;
      }
      throw new Error('expected an error');
    };
    expect(bad({ num_key_value_heads: 3 }).message).toBe('Invalid model config: num_key_value_heads = 3 (expected a divisor of num_attention_heads (4))');
    expect(bad({ hidden_size: 130 }).field).toBe('hidden_size');
    expect(bad({ model_type: 'gpt2' }).message).toMatch(/model_type = "gpt2" \(expected "llama" or "qwen2"/);
    expect(bad({ rope_scaling: { type: 'llama3', factor: 8 } }).message).toMatch(/rope_scaling = .*RoPE scaling variants are not implemented/);
    expect(bad({ vocab_size: 0 }).message).toMatch(/vocab_size = 0 \(expected a number >= 1\)/);
    expect(bad({ hidden_act: 'gelu' }).field).toBe('hidden_act');
    expect(bad({ use_sliding_window: true }).field).toBe('use_sliding_window');
  });
});
