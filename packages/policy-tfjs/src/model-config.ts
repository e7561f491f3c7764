import { ArpoConfigError, parseConfig } from '@arpo/core';
import { z } from 'zod';

const positiveInt = z.number().int().min(1);
const tokenId = z.number().int().min(0);

/**
 * Model config as a zod schema mirroring the fields of a Hugging Face `config.json` for the Llama and
 * Qwen2 architectures (`LlamaConfig`, `Qwen2Config`). Unknown keys are kept (HF configs carry many more),
 * so a loaded `config.json` is written back unchanged apart from the fields below.
 */
export const ModelConfigSchema = z
  .looseObject({
    /** `llama` (q/k/v bias from `attention_bias`) or `qwen2` (q/k/v bias always on). */
    model_type: z.string().default('llama'),
    architectures: z.array(z.string()).optional(),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    /** Grouped-query attention: defaults to `num_attention_heads` (plain multi-head attention). */
    num_key_value_heads: positiveInt.optional(),
    /** Per-head width; defaults to `hidden_size / num_attention_heads`. */
    head_dim: positiveInt.optional(),
    max_position_embeddings: positiveInt.default(2048),
    rope_theta: z.number().positive().default(10000),
    rms_norm_eps: z.number().positive().default(1e-6),
    tie_word_embeddings: z.boolean().default(false),
    /** Llama's q/k/v/o bias switch. Qwen2 has q/k/v bias regardless (its config has no such field). */
    attention_bias: z.boolean().optional(),
    hidden_act: z.literal('silu').default('silu'),
    rope_scaling: z.null().optional(),
    mlp_bias: z.literal(false).optional(),
    initializer_range: z.number().positive().default(0.02),
    bos_token_id: tokenId.nullable().optional(),
    eos_token_id: z.union([tokenId, z.array(tokenId)]).nullable().optional(),
    pad_token_id: tokenId.nullable().optional(),
    torch_dtype: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    const kv = c.num_key_value_heads ?? c.num_attention_heads;
    if (c.num_attention_heads % kv !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        input: kv,
        message: `a divisor of num_attention_heads (${c.num_attention_heads})`,
      });
    }
    if (c.head_dim === undefined && c.hidden_size % c.num_attention_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['hidden_size'],
        input: c.hidden_size,
        message: `a multiple of num_attention_heads (${c.num_attention_heads}) when head_dim is not given`,
      });
    }
    const hd = c.head_dim ?? Math.floor(c.hidden_size / c.num_attention_heads);
    if (hd % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['head_dim'], input: hd, message: 'an even head width (rotary embeddings rotate pairs)' });
    }
    if (c.model_type !== 'llama' && c.model_type !== 'qwen2') {
      ctx.addIssue({
        code: 'custom',
        path: ['model_type'],
        input: c.model_type,
        message: '"llama" or "qwen2" (other architectures are not implemented)',
      });
    }
    if (c['use_sliding_window'] === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['use_sliding_window'],
        input: true,
        message: 'false (sliding-window attention is not implemented)',
      });
    }
    if (c.attention_bias === true && c.model_type === 'llama') {
      ctx.addIssue({
        code: 'custom',
        path: ['attention_bias'],
        input: true,
        message: 'false (Llama attention_bias also adds an o_proj bias, which is not implemented; use model_type "qwen2" for q/k/v bias)',
      });
    }
  });

/** A parsed model config (HF field names, defaults filled in). */
export type ModelConfig = z.output<typeof ModelConfigSchema>;
/** What {@link parseModelConfig} accepts (HF `config.json` contents). */
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** The derived sizes the model code uses. */
export interface ModelDims {
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** heads / kvHeads: query heads sharing one key/value head. */
  groups: number;
  maxPositions: number;
  ropeTheta: number;
  eps: number;
  tied: boolean;
  /** q/k/v projections have a bias (Qwen2). */
  qkvBias: boolean;
}

/** Fields where HF writes `null` to mean "use the default" (transformers `PretrainedConfig` semantics). */
const NULL_MEANS_DEFAULT = ['head_dim', 'num_key_value_heads'] as const;

/**
 * Reads the transformers v5 layout into the fields above: `rope_parameters: { rope_type: 'default', rope_theta }`
 * replaces the top-level `rope_theta` (and `rope_scaling`); `null` in {@link NULL_MEANS_DEFAULT} is the default.
 * The input is not modified.
 */
function normalizeHfConfig(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const c: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const key of NULL_MEANS_DEFAULT) if (c[key] === null) delete c[key];
  const rp = c['rope_parameters'];
  if (rp === undefined || rp === null) return c;
  if (typeof rp !== 'object' || Array.isArray(rp)) {
    throw new ArpoConfigError('model config', [{ field: 'rope_parameters', value: rp, expected: "an object { rope_type: 'default', rope_theta }" }]);
  }
  const { rope_type: type, rope_theta: theta } = rp as { rope_type?: unknown; rope_theta?: unknown };
  if (type !== undefined && type !== 'default') {
    throw new ArpoConfigError('model config', [
      { field: 'rope_parameters.rope_type', value: type, expected: "'default' (RoPE scaling variants are not implemented)" },
    ]);
  }
  if (theta !== undefined) {
    if (c['rope_theta'] !== undefined && c['rope_theta'] !== theta) {
      throw new ArpoConfigError('model config', [
        { field: 'rope_parameters.rope_theta', value: theta, expected: `the same value as the top-level rope_theta (${String(c['rope_theta'])})` },
      ]);
    }
    c['rope_theta'] = theta;
  }
  return c;
}

/**
 * Validates a HF-style config (transformers v4 or v5 layout); throws `ArpoConfigError` naming the field, value
 * and expectation.
 */
export function parseModelConfig(raw: unknown): ModelConfig {
  const input = normalizeHfConfig(raw);
  if (input !== null && typeof input === 'object' && 'rope_scaling' in input) {
    const rs = (input as { rope_scaling: unknown }).rope_scaling;
    if (rs !== null && rs !== undefined) {
      throw new ArpoConfigError('model config', [
        { field: 'rope_scaling', value: rs, expected: 'null (RoPE scaling variants are not implemented)' },
      ]);
    }
  }
  return parseConfig(ModelConfigSchema, input, 'model config');
}

/** Derived dimensions of a parsed config. */
export function modelDims(config: ModelConfig): ModelDims {
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  return {
    vocab: config.vocab_size,
    hidden: config.hidden_size,
    intermediate: config.intermediate_size,
    layers: config.num_hidden_layers,
    heads,
    kvHeads,
    headDim: config.head_dim ?? config.hidden_size / heads,
    groups: heads / kvHeads,
    maxPositions: config.max_position_embeddings,
    ropeTheta: config.rope_theta,
    eps: config.rms_norm_eps,
    tied: config.tie_word_embeddings,
    qkvBias: config.model_type === 'qwen2' || config.attention_bias === true,
  };
}

/** The standard benchmark configs of the issue (tiny and small), Llama flavour, untied head. */
export const STANDARD_CONFIGS = {
  tiny: {
    model_type: 'llama',
    vocab_size: 512,
    hidden_size: 128,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    intermediate_size: 344,
    max_position_embeddings: 256,
  },
  small: {
    model_type: 'llama',
    vocab_size: 512,
    hidden_size: 256,
    num_hidden_layers: 6,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    intermediate_size: 688,
    max_position_embeddings: 512,
  },
} as const satisfies Record<string, ModelConfigInput>;
