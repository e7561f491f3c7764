import * as tf from '@tensorflow/tfjs';

type Grad2 = (dy: tf.Tensor2D, saved: tf.Tensor[]) => tf.Tensor[];

let fastMatMulOp: ((a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) | undefined;

/**
 * `a @ b` for 2-D tensors whose forward and backward passes all stay on plain 2-D `matMul` without
 * transpose flags, the only shape tfjs-backend-wasm sends to XNNPACK (~44 GFLOP/s vs 1.4–3.6 for
 * transposeA/B and batched matmuls, which tfjs's own matMul gradient uses): da = dy @ transpose(b),
 * db = transpose(a) @ dy with explicit transposes.
 */
export function matMulFast(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  fastMatMulOp ??= tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, w]);
    const gradFunc: Grad2 = (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)];
    };
    return { value: tf.matMul(x, w) as tf.Tensor2D, gradFunc };
  }) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
  return fastMatMulOp(a, b);
}

/**
 * `x @ c` for a constant matrix `c` (no gradient w.r.t. `c`), with `cT = transpose(c)` given so the
 * backward pass is one plain matmul: dx = dy @ cT.
 */
export function matMulConst(x: tf.Tensor2D, c: tf.Tensor2D, cT: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input] = args as [tf.Tensor2D];
    return { value: tf.matMul(input, c) as tf.Tensor2D, gradFunc: (dy: tf.Tensor2D) => [tf.matMul(dy, cT)] };
  }) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;
  return op(x);
}
