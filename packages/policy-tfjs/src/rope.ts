import * as tf from '@tensorflow/tfjs';
import { matMulConst } from './fast-matmul.js';

/**
 * Rotary position embeddings in the Hugging Face "rotate_half" layout:
 * x' = x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁] (halves of the head width), angle of
 * position p and pair i = p · θ^(−2i/d). Tables are computed in float32 the way HF does (so real
 * checkpoints see the same angles). `rotate_half` is a 2-D matmul with a constant signed permutation,
 * which keeps both passes on the fast wasm matmul path.
 */
export class RotaryEmbedding {
  /** `[maxPositions, headDim]` cosine / sine tables. */
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  private readonly rotation: tf.Tensor2D;
  private readonly cosHost: Float32Array;
  private readonly sinHost: Float32Array;
  private readonly rotationT: tf.Tensor2D;

  constructor(
    readonly headDim: number,
    readonly maxPositions: number,
    theta: number,
  ) {
    const half = headDim / 2;
    const inv = new Float32Array(half);
    for (let i = 0; i < half; i++) {
      const exponent = Math.fround((2 * i) / headDim);
      inv[i] = Math.fround(1 / Math.fround(Math.pow(theta, exponent)));
    }
    const cos = new Float32Array(maxPositions * headDim);
    const sin = new Float32Array(maxPositions * headDim);
    for (let p = 0; p < maxPositions; p++) {
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * inv[i]!);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[p * headDim + i] = c;
        cos[p * headDim + half + i] = c;
        sin[p * headDim + i] = s;
        sin[p * headDim + half + i] = s;
      }
    }
    const rot = new Float32Array(headDim * headDim);
    for (let j = 0; j < half; j++) {
      rot[(j + half) * headDim + j] = -1; // out[j] = −x[j + d/2]
      rot[j * headDim + (j + half)] = 1; // out[j + d/2] = x[j]
    }
    this.cosHost = cos;
    this.sinHost = sin;
    this.cos = tf.tensor2d(cos, [maxPositions, headDim]);
    this.sin = tf.tensor2d(sin, [maxPositions, headDim]);
    this.rotation = tf.tensor2d(rot, [headDim, headDim]);
    this.rotationT = tf.transpose(this.rotation);
  }

  /** cos/sin of positions `start … start+length−1`, shaped `[1, length, 1, headDim]` for broadcasting. */
  range(start: number, length: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
    const shape: [number, number, number, number] = [1, length, 1, this.headDim];
    return {
      cos: tf.slice(this.cos, [start, 0], [length, this.headDim]).reshape(shape),
      sin: tf.slice(this.sin, [start, 0], [length, this.headDim]).reshape(shape),
    };
  }

  private kept = new Map<number, { cos: tf.Tensor4D; sin: tf.Tensor4D }>();

  /**
   * {@link range}(0, length), kept across calls (at most 8 lengths). Custom gradients read these tables
   * in the backward pass, after tfjs has disposed the forward pass's temporaries, so they must outlive it.
   */
  prefix(length: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
    let hit = this.kept.get(length);
    if (!hit) {
      hit = tf.tidy(() => this.range(0, length));
      tf.keep(hit.cos);
      tf.keep(hit.sin);
      this.kept.set(length, hit);
      if (this.kept.size > 8) {
        const [oldest, t] = this.kept.entries().next().value as [number, { cos: tf.Tensor4D; sin: tf.Tensor4D }];
        this.kept.delete(oldest);
        t.cos.dispose();
        t.sin.dispose();
      }
    }
    return hit;
  }

  /**
   * One rotation matrix per row, `[rows, headDim, headDim]`, built on the host from the same float32
   * tables: x·R_p = x·cos_p + rotate_half(x)·sin_p. Decoding applies it to all query and key heads of a
   * row with one batched matmul (instead of a matmul, two products and a sum per layer).
   */
  matrices(positions: Int32Array): tf.Tensor3D {
    const d = this.headDim;
    const half = d / 2;
    const out = new Float32Array(positions.length * d * d);
    positions.forEach((p, r) => {
      const base = r * d * d;
      for (let j = 0; j < d; j++) {
        const c = this.cosHost[p * d + j]!;
        const s = this.sinHost[p * d + j]!;
        out[base + j * d + j] = c;
        if (j < half) out[base + (j + half) * d + j] = -s;
        else out[base + (j - half) * d + j] = s;
      }
    });
    return tf.tensor3d(out, [positions.length, d, d]);
  }

  /** cos/sin of one position per row, shaped `[rows, 1, 1, headDim]`. */
  at(positions: Int32Array): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
    const idx = tf.tensor1d(positions, 'int32');
    const shape: [number, number, number, number] = [positions.length, 1, 1, this.headDim];
    return { cos: tf.gather(this.cos, idx).reshape(shape), sin: tf.gather(this.sin, idx).reshape(shape) };
  }

  /** Rotates `x` `[B, T, heads, headDim]` by the given (broadcastable) cos/sin. Call inside `tf.tidy`. */
  apply(x: tf.Tensor4D, cs: { cos: tf.Tensor4D; sin: tf.Tensor4D }): tf.Tensor4D {
    const [b, t, h, d] = x.shape;
    const rotated = tf.matMul(x.reshape([b * t * h, d]), this.rotation).reshape([b, t, h, d]);
    return tf.add(tf.mul(x, cs.cos), tf.mul(rotated, cs.sin));
  }

  /**
   * {@link apply} as a memory-lean differentiable op (the rotation is linear: dx = dy·cos +
   * rotate_halfᵀ(dy·sin)); only the output survives the forward pass.
   */
  applyDifferentiable(x: tf.Tensor4D, cs: { cos: tf.Tensor4D; sin: tf.Tensor4D }): tf.Tensor4D {
    const [b, t, h, d] = x.shape;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const input = args[0] as tf.Tensor4D;
      const value = tf.tidy(() => this.apply(input, cs));
      const gradFunc = (dy: tf.Tensor): tf.Tensor[] =>
        tf.tidy(() => {
          const back = matMulConst(tf.mul(dy, cs.sin).reshape([b * t * h, d]) as tf.Tensor2D, this.rotationT, this.rotation);
          return [tf.add(tf.mul(dy, cs.cos), back.reshape([b, t, h, d]))];
        });
      return { value, gradFunc };
    }) as unknown as (v: tf.Tensor4D) => tf.Tensor4D;
    return op(x);
  }

  dispose(): void {
    for (const t of this.kept.values()) {
      t.cos.dispose();
      t.sin.dispose();
    }
    this.kept.clear();
    this.cos.dispose();
    this.sin.dispose();
    this.rotation.dispose();
    this.rotationT.dispose();
  }
}
