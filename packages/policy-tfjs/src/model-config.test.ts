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

  it('reads the transformers v5 layout: rope_theta inside rope_parameters, null meaning the default', () => {
    // As transformers 5 writes a Qwen2 config: rope_parameters instead of rope_theta / rope_scaling, and
    // explicit nulls for fields left at their defaults.
    const v5 = {
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      vocab_size: 64,
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: null,
      head_dim: null,
      max_position_embeddings: 128,
      rms_norm_eps: 1e-6,
      rope_parameters: { rope_theta: 1000000.0, rope_type: 'default' },
      tie_word_embeddings: true,
      dtype: 'bfloat16',
      transformers_version: '5.0.0',
    };
    expect(modelDims(parseModelConfig(v5))).toEqual({
      vocab: 64, hidden: 32, intermediate: 48, layers: 2, heads: 4, kvHeads: 4, headDim: 8, groups: 1,
      maxPositions: 128, ropeTheta: 1000000, eps: 1e-6, tied: true, qkvBias: true,
    });
    expect(modelDims(parseModelConfig({ ...v5, rope_parameters: { rope_type: 'default' } })).ropeTheta).toBe(10000);
    expect(modelDims(parseModelConfig({ ...v5, rope_theta: 1000000 })).ropeTheta).toBe(1000000);
    expect(() => parseModelConfig({ ...v5, rope_parameters: { rope_type: 'yarn', rope_theta: 1e6, factor: 4 } })).toThrow(
      'Invalid model config: rope_parameters.rope_type = "yarn" (expected \'default\' (RoPE scaling variants are not implemented))',
    );
    expect(() => parseModelConfig({ ...v5, rope_theta: 10000 })).toThrow(
      'Invalid model config: rope_parameters.rope_theta = 1000000 (expected the same value as the top-level rope_theta (10000))',
    );
  });
});
