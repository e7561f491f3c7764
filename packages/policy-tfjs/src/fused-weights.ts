import * as tf from '@tensorflow/tfjs';
import type { LayerWeights } from './decoder-weights.js';
import type { ModelDims } from './model-config.js';

/** One layer's projections fused into wide matmuls: `[q | k | v]` and `[gate | up]`. */
export interface FusedLayer {
  /** `[hidden, (H + 2·Hkv)·d]`. */
  qkv: tf.Tensor2D;
  /** `[(H + 2·Hkv)·d]` (Qwen2). */
  qkvBias?: tf.Tensor1D;
  /** `[hidden, 2·intermediate]`. */
  gateUp: tf.Tensor2D;
}

/**
 * Fused projection weights, query columns pre-multiplied by the attention scale 1/√d (rotary embeddings
 * are linear, so the scale commutes). During training they are concatenated from the variables inside the
 * gradient scope (the gradient flows back through the concat). For inference they are built once with the
 * RMSNorm gains folded in too, kept, and rebuilt when any source variable changes (an optimizer step
 * replaces the variable's data).
 */
export class FusedWeights {
  private cache: { ids: object[]; fused: FusedLayer }[] = [];

  constructor(
    private readonly dims: ModelDims,
    private readonly layers: readonly LayerWeights[],
  ) {}

  /**
   * Differentiable fused weights, query part scaled by 1/√d (cheaper on the weights than on the
   * activations). Call inside the gradient scope / tidy.
   */
  training(l: number): FusedLayer {
    return build(this.layers[l]!, 1 / Math.sqrt(this.dims.headDim));
  }

  /**
   * Cached inference weights: query part scaled by 1/√d, and the RMSNorm gains folded in
   * (rmsnorm(x)·W = normalize(x)·(diag(g)·W)), so inference normalises without the gain.
   */
  inference(l: number): FusedLayer {
    const w = this.layers[l]!;
    const ids = sources(w).map((v) => v.dataId);
    const hit = this.cache[l];
    if (hit && hit.ids.length === ids.length && hit.ids.every((id, i) => id === ids[i])) return hit.fused;
    if (hit) disposeFused(hit.fused);
    const fused = tf.tidy(() => {
      const f = build(w, 1 / Math.sqrt(this.dims.headDim));
      const qkv = tf.mul(f.qkv, (w.inputNorm as tf.Tensor).reshape([-1, 1])) as tf.Tensor2D;
      const gateUp = tf.mul(f.gateUp, (w.postNorm as tf.Tensor).reshape([-1, 1])) as tf.Tensor2D;
      return f.qkvBias ? { qkv, qkvBias: f.qkvBias, gateUp } : { qkv, gateUp };
    });
    for (const t of [fused.qkv, fused.qkvBias, fused.gateUp]) if (t) tf.keep(t);
    this.cache[l] = { ids, fused };
    return fused;
  }

  dispose(): void {
    for (const c of this.cache) if (c) disposeFused(c.fused);
    this.cache = [];
  }
}

function sources(w: LayerWeights): tf.Variable[] {
  return [w.q, w.k, w.v, w.gate, w.up, w.inputNorm, w.postNorm, ...(w.qBias ? [w.qBias, w.kBias!, w.vBias!] : [])];
}

function build(w: LayerWeights, qScale: number): FusedLayer {
  const scaled = (t: tf.Tensor): tf.Tensor => (qScale === 1 ? t : tf.mul(t, qScale));
  const qkv = tf.concat([scaled(w.q), w.k, w.v], 1) as tf.Tensor2D;
  const gateUp = tf.concat([w.gate, w.up], 1) as tf.Tensor2D;
  if (!w.qBias) return { qkv, gateUp };
  return { qkv, gateUp, qkvBias: tf.concat([scaled(w.qBias), w.kBias!, w.vBias!], 0) as tf.Tensor1D };
}

function disposeFused(f: FusedLayer): void {
  f.qkv.dispose();
  f.gateUp.dispose();
  f.qkvBias?.dispose();
}
