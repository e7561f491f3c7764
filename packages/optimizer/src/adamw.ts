import * as tf from '@tensorflow/tfjs';
import { ArpoError, type OptimizerConfig } from '@arpo/core';

/** The optimizer-config fields AdamW reads. */
export type AdamWConfig = Pick<OptimizerConfig, 'beta1' | 'beta2' | 'epsilon' | 'weightDecay'>;

/** A copy of AdamW's state and the variables' values, to roll an update back. */
export interface AdamWSnapshot {
  step: number;
  values: tf.Tensor[];
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/**
 * AdamW (Loshchilov & Hutter; PyTorch `torch.optim.AdamW`, what verl and HF use) over `tf.Variable`s,
 * implemented here rather than wrapping `tf.train.adam` so that the weight decay is decoupled exactly as in
 * PyTorch and the state can be snapshotted and restored. At step t (1-based), for each parameter θ with
 * gradient g (already scaled by the clip factor):
 *
 *   θ ← θ·(1 − lr·λ)                       (decoupled weight decay, λ = weightDecay, all parameters)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 */
/** AdamW's state without the weights: step t and the moments m, v (one array per variable). */
export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  private disposed = false;

  constructor(
    readonly variables: readonly tf.Variable[],
    readonly config: AdamWConfig,
  ) {
    const zeros = (x: tf.Variable): tf.Variable => tf.tidy(() => tf.variable(tf.zerosLike(x), false));
    this.m = variables.map(zeros);
    this.v = variables.map(zeros);
  }

  /** Optimizer steps taken (t of the bias correction). */
  get step(): number {
    return this.t;
  }

  /**
   * One AdamW step. `grads[i]` belongs to `variables[i]` (undefined = no gradient: the moments decay and
   * only the weight decay moves θ, as in PyTorch for a zero gradient); `gradScale` multiplies every
   * gradient first (the global-norm clip factor). Does not dispose `grads`.
   */
  apply(grads: readonly (tf.Tensor | undefined)[], lr: number, gradScale = 1): void {
    if (this.disposed) throw new ArpoError('AdamW: optimizer was disposed');
    if (grads.length !== this.variables.length) throw new ArpoError(`AdamW.apply: ${grads.length} gradients (expected ${this.variables.length}, one per variable)`);
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new ArpoError(`AdamW.apply: lr = ${lr} (expected a finite number >= 0)`);
    this.t += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const bc1 = 1 - beta1 ** this.t;
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    tf.tidy(() => {
      this.variables.forEach((theta, i) => {
        const m = this.m[i]!;
        const v = this.v[i]!;
        const raw = grads[i];
        const g = raw === undefined ? tf.zerosLike(theta) : gradScale === 1 ? raw : tf.mul(raw, gradScale);
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        const denom = tf.add(tf.div(tf.sqrt(vNew), sqrtBc2), epsilon);
        const decayed = weightDecay === 0 ? theta : tf.mul(theta, 1 - lr * weightDecay);
        theta.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), lr / bc1)));
      });
    });
  }

  /** Copies of the variables and moments (the caller disposes them with {@link disposeSnapshot}). */
  snapshot(): AdamWSnapshot {
    return {
      step: this.t,
      values: this.variables.map((x) => tf.clone(x)),
      m: this.m.map((x) => tf.clone(x)),
      v: this.v.map((x) => tf.clone(x)),
    };
  }

  /** Puts the variables and moments back as they were at {@link snapshot}. Does not dispose it. */
  restore(s: AdamWSnapshot): void {
    this.t = s.step;
    this.variables.forEach((x, i) => x.assign(s.values[i]!));
    this.m.forEach((x, i) => x.assign(s.m[i]!));
    this.v.forEach((x, i) => x.assign(s.v[i]!));
  }

  /** The moments and step as plain arrays (for checkpoints); weights are saved with the model. */
  exportState(): AdamWState {
    return { step: this.t, m: this.m.map((x) => x.dataSync() as Float32Array), v: this.v.map((x) => x.dataSync() as Float32Array) };
  }

  /** Restores {@link exportState}'s output; shapes must match the variables. */
  importState(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new ArpoError(`AdamW.importState: ${state.m.length} moments (expected ${this.m.length}, one per variable)`);
    }
    const load = (dst: tf.Variable[], src: readonly Float32Array[], name: string): void =>
      dst.forEach((x, i) => {
        const values = src[i]!;
        if (values.length !== x.size) throw new ArpoError(`AdamW.importState: ${name}[${i}] has ${values.length} values (expected ${x.size} for shape [${x.shape.join(', ')}])`);
        x.assign(tf.tensor(values, x.shape, 'float32'));
      });
    load(this.m, state.m, 'm');
    load(this.v, state.v, 'v');
    this.t = state.step;
  }

  static disposeSnapshot(s: AdamWSnapshot): void {
    tf.dispose([...s.values, ...s.m, ...s.v]);
  }

  /** Frees the moments (not the model's variables). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.m, ...this.v]);
  }
}
