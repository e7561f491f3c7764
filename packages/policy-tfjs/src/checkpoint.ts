import * as tf from '@tensorflow/tfjs';
import { ArpoError } from '@arpo/core';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { parameterSpecs, type DecoderWeights } from './decoder-weights.js';
import { modelDims, parseModelConfig, type ModelConfig, type ModelDims } from './model-config.js';
import { parseSafetensors, serializeSafetensors, toFloat32, type Float32Entry, type SafetensorsEntry } from './safetensors.js';

/** File names of the Hugging Face checkpoint layout. */
export const CHECKPOINT_FILES = {
  weights: 'model.safetensors',
  weightsIndex: 'model.safetensors.index.json',
  config: 'config.json',
  generationConfig: 'generation_config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
} as const;

/** Buffers kept in a checkpoint but not model parameters (ignored on load). */
const IGNORED_TENSORS = [/\.rotary_emb\.inv_freq$/];

/** What {@link saveCheckpoint} writes besides the weights. */
export interface CheckpointParts {
  config: ModelConfig;
  weights: DecoderWeights;
  /** tokenizer.json contents (written when given). */
  tokenizerJson?: unknown;
  /** tokenizer_config.json contents (written when given). */
  tokenizerConfig?: Record<string, unknown>;
  /** generation_config.json contents. */
  generationConfig: Record<string, unknown>;
}

/** A checkpoint read from disk; `tensors` are in this package's layout (Linear weights `[in, out]`). */
export interface LoadedCheckpoint {
  config: ModelConfig;
  dims: ModelDims;
  tensors: Map<string, tf.Tensor>;
  tokenizerJson?: unknown;
  tokenizerConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
}

/** The weights in the HF layout (Linear weights transposed back to `[out, in]`), HF names, spec order. */
export function exportHfTensors(weights: DecoderWeights, dims: ModelDims): Map<string, Float32Entry> {
  const out = new Map<string, Float32Entry>();
  for (const spec of parameterSpecs(dims)) {
    const v = weights.byName.get(spec.name)!;
    const data = spec.transposed ? tf.tidy(() => tf.transpose(v).dataSync() as Float32Array) : (v.dataSync() as Float32Array).slice();
    out.set(spec.name, { shape: spec.hfShape, data });
  }
  return out;
}

/** The HF `architectures` entry for a model type. */
export function architectureOf(config: ModelConfig): string {
  return config.model_type === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM';
}

/**
 * Saves a model in the Hugging Face layout: `model.safetensors` (HF tensor names, row-major float32),
 * `config.json`, `generation_config.json` and, when given, `tokenizer.json` / `tokenizer_config.json`.
 * Every file is written atomically (temp file + rename).
 */
export async function saveCheckpoint(directory: string, parts: CheckpointParts): Promise<void> {
  await mkdir(directory, { recursive: true });
  const dims = modelDims(parts.config);
  const tensors = exportHfTensors(parts.weights, dims);
  await writeFileAtomic(join(directory, CHECKPOINT_FILES.weights), serializeSafetensors(tensors));
  const config = {
    ...parts.config,
    architectures: [architectureOf(parts.config)],
    num_key_value_heads: dims.kvHeads,
    torch_dtype: 'float32',
  };
  await writeFileAtomic(join(directory, CHECKPOINT_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await writeFileAtomic(join(directory, CHECKPOINT_FILES.generationConfig), `${JSON.stringify(parts.generationConfig, null, 2)}\n`);
  if (parts.tokenizerJson !== undefined) {
    await writeFileAtomic(join(directory, CHECKPOINT_FILES.tokenizer), JSON.stringify(parts.tokenizerJson));
  }
  if (parts.tokenizerConfig !== undefined) {
    await writeFileAtomic(join(directory, CHECKPOINT_FILES.tokenizerConfig), `${JSON.stringify(parts.tokenizerConfig, null, 2)}\n`);
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArpoError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Reads the safetensors entries of a folder (single file or sharded with `model.safetensors.index.json`). */
async function readWeightEntries(directory: string): Promise<Map<string, SafetensorsEntry>> {
  const single = join(directory, CHECKPOINT_FILES.weights);
  const index = join(directory, CHECKPOINT_FILES.weightsIndex);
  if (existsSync(single)) {
    const buf = await readFile(single);
    return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), single).tensors;
  }
  if (!existsSync(index)) {
    throw new ArpoError(`${directory}: no ${CHECKPOINT_FILES.weights} or ${CHECKPOINT_FILES.weightsIndex} (expected a Hugging Face model folder)`);
  }
  const map = ((await readJson(index)) as { weight_map?: Record<string, string> }).weight_map;
  if (!map) throw new ArpoError(`${index}: no weight_map`);
  const out = new Map<string, SafetensorsEntry>();
  for (const file of new Set(Object.values(map))) {
    const path = join(directory, file);
    const buf = await readFile(path);
    for (const [name, entry] of parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path).tensors) out.set(name, entry);
  }
  return out;
}

/**
 * Checks HF tensors against the parameter list of `dims` and converts them to float32 tensors in this
 * package's layout. Errors name the tensor: missing, unexpected, or mis-shaped (with both shapes).
 * `lm_head.weight` in a tied checkpoint and rotary `inv_freq` buffers are ignored.
 */
export function importHfTensors(dims: ModelDims, entries: ReadonlyMap<string, SafetensorsEntry>, source: string): Map<string, tf.Tensor> {
  const specs = parameterSpecs(dims);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of entries.keys()) {
    if (expected.has(name) || IGNORED_TENSORS.some((re) => re.test(name)) || (dims.tied && name === 'lm_head.weight')) continue;
    throw new ArpoError(`${source}: unexpected tensor ${name} (not a parameter of this config: ${dims.layers} layers, q/k/v bias ${dims.qkvBias ? 'on' : 'off'}, tied ${dims.tied})`);
  }
  for (const spec of specs) {
    const e = entries.get(spec.name);
    if (!e) throw new ArpoError(`${source}: missing tensor ${spec.name} (expected shape [${spec.hfShape.join(', ')}])`);
    if (e.shape.length !== spec.hfShape.length || e.shape.some((n, i) => n !== spec.hfShape[i])) {
      throw new ArpoError(`${source}: tensor ${spec.name} has shape [${e.shape.join(', ')}] (expected [${spec.hfShape.join(', ')}])`);
    }
  }
  const out = new Map<string, tf.Tensor>();
  for (const spec of specs) {
    const data = toFloat32(spec.name, entries.get(spec.name)!);
    out.set(
      spec.name,
      tf.tidy(() => {
        const t = tf.tensor(data, spec.hfShape, 'float32');
        return spec.transposed ? tf.transpose(t) : t;
      }),
    );
  }
  return out;
}

/**
 * Loads a Hugging Face model folder (ours or, e.g., a Qwen2.5-0.5B / SmolLM download): `config.json`
 * validated by {@link parseModelConfig}, the weights validated by name and shape, and the optional
 * tokenizer / generation files as JSON.
 */
export async function loadCheckpoint(directory: string): Promise<LoadedCheckpoint> {
  const configPath = join(directory, CHECKPOINT_FILES.config);
  if (!existsSync(configPath)) throw new ArpoError(`${directory}: no ${CHECKPOINT_FILES.config} (expected a Hugging Face model folder)`);
  const config = parseModelConfig(await readJson(configPath));
  const dims = modelDims(config);
  const tensors = importHfTensors(dims, await readWeightEntries(directory), directory);
  const optional = async (file: string): Promise<unknown> => {
    const path = join(directory, file);
    return existsSync(path) ? readJson(path) : undefined;
  };
  const result: LoadedCheckpoint = { config, dims, tensors };
  const tokenizerJson = await optional(CHECKPOINT_FILES.tokenizer);
  if (tokenizerJson !== undefined) result.tokenizerJson = tokenizerJson;
  const tokenizerConfig = await optional(CHECKPOINT_FILES.tokenizerConfig);
  if (tokenizerConfig !== undefined) result.tokenizerConfig = tokenizerConfig as Record<string, unknown>;
  const generationConfig = await optional(CHECKPOINT_FILES.generationConfig);
  if (generationConfig !== undefined) result.generationConfig = generationConfig as Record<string, unknown>;
  return result;
}
