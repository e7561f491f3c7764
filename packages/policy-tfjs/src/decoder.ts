import * as tf from '@tensorflow/tfjs';
import { attentionCached, attentionPerHead, causalBias, type LayerKv } from './attention.js';
import { rmsNormOp, swiGlu } from './custom-ops.js';
import type { DecoderWeights } from './decoder-weights.js';
import { matMulFast } from './fast-matmul.js';
import { FusedWeights } from './fused-weights.js';
import { gatherRows } from './gather-rows.js';
import type { ModelDims } from './model-config.js';
import { rmsNormalize } from './rms-norm.js';
import { RotaryEmbedding } from './rope.js';

/** Rotary cos/sin broadcastable to `[B, T, heads, headDim]`. */
export type RopeTables = { cos: tf.Tensor4D; sin: tf.Tensor4D };
/** Rotary embedding of a step: tables, or (one new token per row) per-row rotation matrices `[B, d, d]`. */
export type Rotation = RopeTables | { matrices: tf.Tensor3D };

type Attend = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor2D;

/**
 * The Llama/Qwen2 decoder: token embedding, `layers` × (RMSNorm → GQA self-attention with RoPE →
 * residual → RMSNorm → SwiGLU MLP → residual), final RMSNorm, LM head (tied or not). All linear layers
 * run as 2-D fast matmuls on `[tokens, features]` activations, with q/k/v and gate/up fused into one wide
 * matmul each. Methods create tensors: call them inside `tf.tidy` (or a gradient scope).
 */
export class Decoder {
  readonly rope: RotaryEmbedding;
  private readonly fused: FusedWeights;
  private headCache: { id: object; normId: object; weight: tf.Tensor2D } | undefined;

  constructor(
    readonly dims: ModelDims,
    readonly weights: DecoderWeights,
  ) {
    this.rope = new RotaryEmbedding(dims.headDim, dims.maxPositions, dims.ropeTheta);
    this.fused = new FusedWeights(dims, weights.layers);
  }

  /** Token embeddings of `ids` (row-major `[rows · cols]`): `[ids.length, hidden]`, differentiable on wasm. */
  embed(ids: Int32Array): tf.Tensor2D {
    return gatherRows(this.weights.embed as tf.Tensor as tf.Tensor2D, ids);
  }

  /**
   * Hidden states `[B·T, hidden]` (after the final norm) of full sequences `ids` `[B, T]` starting at
   * position 0, with causal per-head attention (the training / scoring path). `inference` uses the cached
   * fused weights, is not differentiable and leaves the final norm gain to `logits(…, true)`. Right padding is harmless: causality keeps padded positions
   * out of the real ones.
   */
  hiddenFull(ids: Int32Array, b: number, t: number, inference = false): tf.Tensor2D {
    const cs = this.rope.prefix(t);
    const mask = this.causalMask(t);
    let x = this.embed(ids);
    for (let l = 0; l < this.dims.layers; l++) {
      x = this.layer(x, l, b, t, cs, inference, (q, k, v) => attentionPerHead(q, k, v, this.dims, mask, true));
    }
    const norm = this.weights.norm as tf.Tensor as tf.Tensor1D;
    return inference ? rmsNormalize(x, this.dims.eps) : rmsNormOp(x, norm, this.dims.eps);
  }

  /**
   * Hidden states `[B·n, hidden]` of `n` new tokens per row appended to `caches` (one per layer, or none),
   * with per-row rotary tables and an optional additive attention `bias` (padding / causality). Returns
   * the extended caches too (the generation path; not differentiable).
   */
  hiddenCached(
    ids: Int32Array,
    b: number,
    n: number,
    rope: Rotation,
    bias: tf.Tensor4D | undefined,
    caches: readonly LayerKv[] | undefined,
  ): { hidden: tf.Tensor2D; caches: LayerKv[] } {
    let x = this.embed(ids);
    const out: LayerKv[] = [];
    for (let l = 0; l < this.dims.layers; l++) {
      x = this.layer(x, l, b, n, rope, true, (q, k, v) => {
        const r = attentionCached(q, k, v, caches?.[l], bias, this.dims);
        out.push(r.kv);
        return r.out;
      });
    }
    return { hidden: rmsNormalize(x, this.dims.eps), caches: out };
  }

  /**
   * LM-head logits `[rows, vocab]` of hidden states. With `inference`, a tied head uses a cached
   * transposed embedding (refreshed when the embedding variable changes) instead of transposing per call.
   */
  logits(hidden: tf.Tensor2D, inference = false): tf.Tensor2D {
    const w = this.headWeight(inference);
    return inference ? (tf.matMul(hidden, w) as tf.Tensor2D) : matMulFast(hidden, w);
  }

  private masks = new Map<number, tf.Tensor2D>();

  /** {@link causalBias}(t, groups), kept across calls (at most 8 lengths): the backward pass reads it. */
  private causalMask(t: number): tf.Tensor2D {
    let m = this.masks.get(t);
    if (!m) {
      m = tf.keep(causalBias(t, this.dims.groups));
      this.masks.set(t, m);
      if (this.masks.size > 8) {
        const [oldest, old] = this.masks.entries().next().value as [number, tf.Tensor2D];
        this.masks.delete(oldest);
        old.dispose();
      }
    }
    return m;
  }

  /**
   * The LM-head weight `[hidden, vocab]` (tied: the transposed embedding). For `inference` a cached copy
   * with the final norm gain folded in (inference hidden states are normalised without the gain),
   * rebuilt when the head / embedding or the norm variable changes.
   */
  headWeight(inference: boolean): tf.Tensor2D {
    const { lmHead, embed, norm } = this.weights;
    if (!inference) return lmHead ? (lmHead as tf.Tensor as tf.Tensor2D) : tf.transpose(embed as tf.Tensor as tf.Tensor2D);
    const source = lmHead ?? embed;
    if (this.headCache?.id !== source.dataId || this.headCache.normId !== norm.dataId) {
      this.headCache?.weight.dispose();
      const weight = tf.keep(
        tf.tidy(() => {
          const w = lmHead ? (lmHead as tf.Tensor as tf.Tensor2D) : tf.transpose(embed as tf.Tensor as tf.Tensor2D);
          return tf.mul(w, (norm as tf.Tensor).reshape([-1, 1])) as tf.Tensor2D;
        }),
      );
      this.headCache = { id: source.dataId, normId: norm.dataId, weight };
    }
    return this.headCache.weight;
  }

  private layer(x: tf.Tensor2D, l: number, b: number, t: number, rope: Rotation, inference: boolean, attend: Attend): tf.Tensor2D {
    const d = this.dims;
    const w = this.weights.layers[l]!;
    const f = inference ? this.fused.inference(l) : this.fused.training(l);
    // Training uses the memory-lean custom ops; inference plain ops (fewer kernel launches per step) with
    // the norm gains folded into the fused weights.
    const norm = (v: tf.Tensor2D, g: tf.Variable): tf.Tensor2D =>
      inference ? rmsNormalize(v, d.eps) : rmsNormOp(v, g as tf.Tensor as tf.Tensor1D, d.eps);
    const h = norm(x, w.inputNorm);
    // Inference skips the custom-gradient wrapper of matMulFast (one engine call less per matmul).
    const mm = (a: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D => (inference ? (tf.matMul(a, w) as tf.Tensor2D) : matMulFast(a, w));
    let qkv = mm(h, f.qkv);
    if (f.qkvBias) qkv = tf.add(qkv, f.qkvBias);
    const qkWidth = (d.heads + d.kvHeads) * d.headDim;
    const [qkFlat, vFlat] = tf.split(qkv, [qkWidth, d.kvHeads * d.headDim], 1) as [tf.Tensor2D, tf.Tensor2D];
    // One rotation for queries and keys together, then split the heads.
    let qk: tf.Tensor4D;
    if ('matrices' in rope) {
      // One new token per row: rotate all query and key heads of a row with its rotation matrix.
      qk = tf.matMul(qkFlat.reshape([b, d.heads + d.kvHeads, d.headDim]), rope.matrices).reshape([b, 1, d.heads + d.kvHeads, d.headDim]);
    } else {
      const qk4 = qkFlat.reshape([b, t, d.heads + d.kvHeads, d.headDim]) as tf.Tensor4D;
      qk = inference ? this.rope.apply(qk4, rope) : this.rope.applyDifferentiable(qk4, rope);
    }
    const [q, k] = tf.split(qk, [d.heads, d.kvHeads], 2) as [tf.Tensor4D, tf.Tensor4D];
    const v = vFlat.reshape([b, t, d.kvHeads, d.headDim]) as tf.Tensor4D;
    const x1 = tf.add(x, mm(attend(q, k, v), w.o as tf.Tensor as tf.Tensor2D)) as tf.Tensor2D;
    const h2 = norm(x1, w.postNorm);
    const gateUp = mm(h2, f.gateUp);
    let act: tf.Tensor2D; // SwiGLU: silu(gate) · up
    if (inference) {
      const [gate, up] = tf.split(gateUp, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
    } else act = swiGlu(gateUp);
    return tf.add(x1, mm(act, w.down as tf.Tensor as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** Frees the rotary tables and the cached inference weights (the variables belong to the caller). */
  dispose(): void {
    this.rope.dispose();
    this.fused.dispose();
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
    this.headCache?.weight.dispose();
    this.headCache = undefined;
  }
}
