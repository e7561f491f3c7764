import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './stop-gradient.js';

/**
 * {@link entropyAwareAdvantages} on device: Ã = A·(1 + a·z(H)), z = (H − mean)/std over the tokens with mask > 0
 * (std with N − 1, 1 when it is 0; z = 0 at untrained tokens and when fewer than two are trained). H goes through a
 * stop-gradient, so Ã is a constant of the loss, as in the reference (`entropy_normalized.detach()`): the only gradient
 * w.r.t. H stays the entropy bonus's. `weight` is a (0 returns A). Call inside `tf.tidy` or a gradient scope; the
 * caller owns the result.
 */
export function entropyAwareAdvantagesTensor(advantages: tf.Tensor, entropies: tf.Tensor, mask: tf.Tensor, weight: number): tf.Tensor {
  if (weight === 0) return tf.clone(advantages);
  return tf.tidy(() => {
    const h = stopGradient(entropies); // sg(H)
    const trained = tf.greater(mask, 0);
    const zeros = tf.zerosLike(h);
    const n = tf.sum(tf.cast(trained, 'float32')); // N
    const mean = tf.div(tf.sum(tf.where(trained, h, zeros)), tf.maximum(n, 1));
    const dev = tf.where(trained, tf.sub(h, mean), zeros); // H − mean (0 where untrained, whatever H is there)
    const std = tf.sqrt(tf.div(tf.sum(tf.square(dev)), tf.maximum(tf.sub(n, 1), 1))); // unbiased; 0 when N ≤ 1
    const z = tf.div(dev, tf.where(tf.equal(std, 0), tf.onesLike(std), std));
    return tf.mul(advantages, tf.add(1, tf.mul(z, weight))); // Ã = A·(1 + a·z)
  });
}
