import * as tf from '@tensorflow/tfjs';

/** True when the active backend implements `kernel` (e.g. wasm lacks `UnsortedSegmentSum`). */
export function backendHasKernel(kernel: string): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined;
}

/**
 * `x[indices]` along axis 0, differentiable on every backend. `tf.gather`'s gradient needs the
 * `UnsortedSegmentSum` kernel, which tfjs-backend-wasm lacks; there the gradient is a scatter-add of the
 * rows of dy done on the host (O(rows · width), the optimum for a dense gradient). Call inside `tf.tidy`
 * (the index tensor is created here).
 */
export function gatherRows<T extends tf.Tensor>(x: T, indices: Int32Array): T {
  const idx = tf.tensor1d(indices, 'int32');
  if (backendHasKernel('UnsortedSegmentSum')) return tf.gather(x, idx) as T;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input] = args as [T];
    const shape = input.shape;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => [scatterAddRows(dy, indices, shape)];
    return { value: tf.gather(input, idx) as T, gradFunc };
  }) as unknown as (x: T) => T;
  return op(x);
}

/** out[indices[i]] += dy[i] for rows of width `prod(shape[1:])`; returns a tensor of `shape`. */
function scatterAddRows(dy: tf.Tensor, indices: Int32Array, shape: number[]): tf.Tensor {
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const rows = shape[0] ?? 0;
  const values = dy.dataSync() as Float32Array;
  const out = new Float32Array(rows * width);
  for (let i = 0; i < indices.length; i++) {
    const dst = indices[i]! * width;
    const src = i * width;
    for (let j = 0; j < width; j++) out[dst + j]! += values[src + j]!;
  }
  return tf.tensor(out, shape, 'float32');
}
