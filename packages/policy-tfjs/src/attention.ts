import * as tf from '@tensorflow/tfjs';
import { attentionBlock } from './custom-ops.js';
import type { ModelDims } from './model-config.js';

/** Large negative additive bias for masked attention scores (exp underflows to exactly 0). */
export const MASKED = -1e9;

/** `[groups·T, T]` additive causal bias (the `[T, T]` mask repeated for each query head of a group). */
export function causalBias(t: number, groups = 1): tf.Tensor2D {
  const bias = new Float32Array(groups * t * t);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) bias[(g * t + i) * t + j] = MASKED;
  }
  return tf.tensor2d(bias, [groups * t, t]);
}

/**
 * Causal self-attention over full sequences as 2-D matmuls, one (sequence, key/value head) at a time
 * with that head's `groups` query heads stacked (`[groups·T, d]`), so the forward and backward passes stay
 * on the XNNPACK path (batched/rank-3 matmuls fall back to a naive loop on wasm) and GQA needs no key
 * repetition. Each block is a memory-lean custom op ({@link attentionBlock}: probabilities recomputed in
 * the backward pass). `mask` is {@link causalBias}(T, groups) and must outlive the backward pass. Inputs are rotated `q` `[B, T, H, d]` (already multiplied by 1/√d when
 * `qScaled`), `k`, `v` `[B, T, Hkv, d]`; returns `[B·T, H·d]`. Call inside `tf.tidy`.
 */
export function attentionPerHead(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, d: ModelDims, mask: tf.Tensor2D, qScaled = false): tf.Tensor2D {
  const [b, t] = q.shape;
  const g = d.groups;
  let qh: tf.Tensor = tf.transpose(q, [0, 2, 1, 3]); // [B, H, T, d]; head h = kv·g + r
  if (!qScaled) qh = tf.mul(qh, 1 / Math.sqrt(d.headDim));
  const n = b * d.kvHeads;
  const qs = (n === 1 ? [qh.reshape([g * t, d.headDim])] : tf.unstack(qh.reshape([n, g * t, d.headDim]))) as tf.Tensor2D[];
  const kT = tf.transpose(k, [0, 2, 3, 1]); // [B, Hkv, d, T]
  const vh = tf.transpose(v, [0, 2, 1, 3]); // [B, Hkv, T, d]
  const kTs = (n === 1 ? [kT.reshape([d.headDim, t])] : tf.unstack(kT.reshape([n, d.headDim, t]))) as tf.Tensor2D[];
  const vs = (n === 1 ? [vh.reshape([t, d.headDim])] : tf.unstack(vh.reshape([n, t, d.headDim]))) as tf.Tensor2D[];
  const block = attentionBlock(mask);
  const outs = qs.map((qi, i) => block(qi, kTs[i]!, vs[i]!));
  const o = (n === 1 ? outs[0]! : tf.stack(outs)).reshape([b, d.heads, t, d.headDim]);
  return tf.transpose(o, [0, 2, 1, 3]).reshape([b * t, d.heads * d.headDim]) as tf.Tensor2D;
}

/** Keys and values of one layer for a batch: `[B, Hkv, S, d]` each. */
export type LayerKv = {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
};

/**
 * Attention of `n` new positions against cached keys/values plus their own (generation). Query heads are
 * grouped under their key/value head (`[B, Hkv, groups·n, d]`) so GQA needs no key repetition; the
 * batched matmuls are small here (n = 1 when decoding, where every transpose is a reshape). `q` must be
 * pre-multiplied by 1/√d. `bias` is an additive mask broadcastable to `[B, Hkv, groups·n, S]` (padding,
 * causality), or undefined when nothing is masked. Returns the output `[B·n, H·d]` and the extended
 * cache. Call inside `tf.tidy`.
 */
export function attentionCached(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  cache: LayerKv | undefined,
  bias: tf.Tensor4D | undefined,
  d: ModelDims,
): { out: tf.Tensor2D; kv: LayerKv } {
  const [b, n] = q.shape;
  const head = (x: tf.Tensor4D, heads: number): tf.Tensor4D =>
    n === 1 ? x.reshape([b, heads, 1, d.headDim]) : (tf.transpose(x, [0, 2, 1, 3]) as tf.Tensor4D);
  const qg = head(q, d.heads).reshape([b, d.kvHeads, d.groups * n, d.headDim]);
  let kk = head(k, d.kvHeads);
  let vv = head(v, d.kvHeads);
  if (cache) {
    kk = tf.concat([cache.k, kk], 2);
    vv = tf.concat([cache.v, vv], 2);
  }
  const scores = tf.matMul(qg, kk, false, true);
  const probs = tf.softmax(bias ? tf.add(scores, bias) : scores);
  const o = tf.matMul(probs, vv); // [B, Hkv, g·n, d] = [B, H, n, d]
  const out = (n === 1 ? o : tf.transpose(o.reshape([b, d.heads, n, d.headDim]), [0, 2, 1, 3])).reshape([b * n, d.heads * d.headDim]) as tf.Tensor2D;
  return { out, kv: { k: kk, v: vv } };
}
