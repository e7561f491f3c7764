import * as tf from '@tensorflow/tfjs';

/**
 * sg(x): the value of `x` cut off from the gradient tape (torch's `x.detach()`, JAX's `stop_gradient`). tfjs has no
 * such op. This runs an identity inside a `tf.customGrad` that takes no tensor inputs (it closes over `x`): ops inside
 * a custom gradient's forward pass are not recorded, and a tape node without inputs connects no variable to the
 * result. So nothing computed from sg(x) is differentiated, not even comparisons such as `tf.less` (which have no
 * gradient and would make `tf.grad` throw if they were on a path from a variable to the loss). Works on every backend,
 * without a read-back; the caller owns the returned tensor (it shares `x`'s data).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const detached = tf.customGrad(() => ({ value: tf.clone(x), gradFunc: () => [] })) as unknown as () => T;
  return detached();
}
