import * as tf from '@tensorflow/tfjs';
import { createRng, ArpoError } from '@arpo/core';
import type { ModelDims } from './model-config.js';

/** One named parameter in the Hugging Face layout. */
export interface ParameterSpec {
  /** HF tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Shape in the HF checkpoint (Linear weights are `[out, in]`). */
  hfShape: number[];
  /** Stored here transposed (`[in, out]`, so a linear layer is a plain `x @ W`). */
  transposed: boolean;
  /** Initial value of a fresh model: N(0, initializer_range²), ones (norm gains) or zeros (biases). */
  init: 'normal' | 'ones' | 'zeros';
}

/** The parameter list of a Llama/Qwen2 decoder with these dimensions, in HF order. */
export function parameterSpecs(d: ModelDims): ParameterSpec[] {
  const q = d.heads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  const specs: ParameterSpec[] = [{ name: 'model.embed_tokens.weight', hfShape: [d.vocab, d.hidden], transposed: false, init: 'normal' }];
  for (let l = 0; l < d.layers; l++) {
    const p = `model.layers.${l}`;
    const lin = (name: string, out: number, inp: number): ParameterSpec => ({ name: `${p}.${name}.weight`, hfShape: [out, inp], transposed: true, init: 'normal' });
    specs.push({ name: `${p}.input_layernorm.weight`, hfShape: [d.hidden], transposed: false, init: 'ones' });
    specs.push(lin('self_attn.q_proj', q, d.hidden), lin('self_attn.k_proj', kv, d.hidden), lin('self_attn.v_proj', kv, d.hidden));
    if (d.qkvBias) {
      for (const [n, size] of [['q_proj', q], ['k_proj', kv], ['v_proj', kv]] as const) {
        specs.push({ name: `${p}.self_attn.${n}.bias`, hfShape: [size], transposed: false, init: 'zeros' });
      }
    }
    specs.push(lin('self_attn.o_proj', d.hidden, q));
    specs.push({ name: `${p}.post_attention_layernorm.weight`, hfShape: [d.hidden], transposed: false, init: 'ones' });
    specs.push(lin('mlp.gate_proj', d.intermediate, d.hidden), lin('mlp.up_proj', d.intermediate, d.hidden), lin('mlp.down_proj', d.hidden, d.intermediate));
  }
  specs.push({ name: 'model.norm.weight', hfShape: [d.hidden], transposed: false, init: 'ones' });
  if (!d.tied) specs.push({ name: 'lm_head.weight', hfShape: [d.vocab, d.hidden], transposed: true, init: 'normal' });
  return specs;
}

/** The shape a parameter has here (HF shape, reversed for transposed Linear weights). */
export function internalShape(spec: ParameterSpec): number[] {
  return spec.transposed ? [...spec.hfShape].reverse() : spec.hfShape;
}

/** Weights of one decoder layer; linear weights are `[in, out]`. */
export interface LayerWeights {
  inputNorm: tf.Variable;
  q: tf.Variable;
  k: tf.Variable;
  v: tf.Variable;
  qBias?: tf.Variable;
  kBias?: tf.Variable;
  vBias?: tf.Variable;
  o: tf.Variable;
  postNorm: tf.Variable;
  gate: tf.Variable;
  up: tf.Variable;
  down: tf.Variable;
}

/** All weights of a decoder, by HF name and by role. */
export interface DecoderWeights {
  /** HF name → variable (internal layout), in {@link parameterSpecs} order. */
  byName: Map<string, tf.Variable>;
  embed: tf.Variable;
  layers: LayerWeights[];
  norm: tf.Variable;
  /** `[hidden, vocab]`; absent when the head is tied to `embed`. */
  lmHead?: tf.Variable;
}

let instanceCounter = 0;

/**
 * Wraps internal-layout tensors (keyed by HF name) as variables. Variable names are prefixed with a
 * per-instance id (tfjs variable names are global). The input tensors are disposed.
 */
export function createWeights(d: ModelDims, tensors: Map<string, tf.Tensor>, trainable: boolean): DecoderWeights {
  const prefix = `arpo_policy_${++instanceCounter}`;
  const byName = new Map<string, tf.Variable>();
  for (const spec of parameterSpecs(d)) {
    const t = tensors.get(spec.name);
    if (!t) throw new ArpoError(`createWeights: missing tensor ${spec.name}`);
    byName.set(spec.name, tf.variable(t, trainable, `${prefix}/${spec.name}`));
    t.dispose();
  }
  const get = (name: string): tf.Variable => byName.get(name)!;
  const opt = (name: string): tf.Variable | undefined => byName.get(name);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < d.layers; l++) {
    const p = `model.layers.${l}`;
    layers.push({
      inputNorm: get(`${p}.input_layernorm.weight`),
      q: get(`${p}.self_attn.q_proj.weight`),
      k: get(`${p}.self_attn.k_proj.weight`),
      v: get(`${p}.self_attn.v_proj.weight`),
      qBias: opt(`${p}.self_attn.q_proj.bias`),
      kBias: opt(`${p}.self_attn.k_proj.bias`),
      vBias: opt(`${p}.self_attn.v_proj.bias`),
      o: get(`${p}.self_attn.o_proj.weight`),
      postNorm: get(`${p}.post_attention_layernorm.weight`),
      gate: get(`${p}.mlp.gate_proj.weight`),
      up: get(`${p}.mlp.up_proj.weight`),
      down: get(`${p}.mlp.down_proj.weight`),
    });
  }
  return { byName, embed: get('model.embed_tokens.weight'), layers, norm: get('model.norm.weight'), lmHead: opt('lm_head.weight') };
}

/**
 * Fresh random tensors (internal layout) for a model: N(0, std²) weights drawn from core's seeded RNG
 * on the host (identical on every backend), ones for norm gains, zeros for biases.
 */
export function randomTensors(d: ModelDims, seed: number, std: number): Map<string, tf.Tensor> {
  const rng = createRng(seed);
  const out = new Map<string, tf.Tensor>();
  for (const spec of parameterSpecs(d)) {
    const shape = internalShape(spec);
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    if (spec.init === 'ones') values.fill(1);
    else if (spec.init === 'normal') for (let i = 0; i < n; i++) values[i] = rng.normal() * std;
    out.set(spec.name, tf.tensor(values, shape, 'float32'));
  }
  return out;
}

/** Disposes every variable of a weight set. */
export function disposeWeights(w: DecoderWeights): void {
  for (const v of w.byName.values()) v.dispose();
}
