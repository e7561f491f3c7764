import * as tf from '@tensorflow/tfjs';
import { ArpoError, type TokenScores, type TrainablePolicy } from '@arpo/core';
import { NonFiniteError, type NonFiniteLocation } from './non-finite-error.js';

/** One micro-batch, laid out for the loss: padded [rows, cols] arrays (row-major). */
export interface MicroInput {
  /** Index within the mini-batch (named in errors). */
  index: number;
  sequences: { promptTokens: readonly number[]; responseTokens: readonly number[] }[];
  shape: [number, number];
  mask: Float32Array;
  weights: Float32Array;
  tokens: number;
  advantages?: Float32Array;
  old?: Float32Array;
  ref?: Float32Array;
}

/** A micro-batch loss (already weighted for its mini-batch) and the statistics to sum / max over micro-batches. */
export interface BuiltLoss {
  loss: tf.Scalar;
  /** Summed over micro-batches. */
  sums: tf.Tensor1D;
  /** Max over micro-batches. */
  maxima?: tf.Tensor1D;
}

/** The summed gradient (one entry per variable; undefined where no micro-batch reached it) and its statistics. */
export interface Accumulated {
  grads: (tf.Tensor | undefined)[];
  sumSquares: number;
  sums: Float64Array;
  maxima: Float64Array;
  ran: number;
  /** Whether the policy returned entropies (asked for with `withEntropy`). */
  hadEntropy: boolean;
}

/**
 * One micro-batch's gradient and read-back scalars, computed by another thread (a gradient worker) with the same
 * code as here ({@link microGradient} + {@link readMicroScalars}).
 */
export interface MicroGradient {
  /** Per variable (undefined: no gradient reached it). */
  grads: (Float32Array | undefined)[];
  loss: number;
  /** Σ log πθ over the trained tokens. */
  probe: number;
  sums: number[];
  maxima: number[];
  hadEntropy: boolean;
}

/** What {@link accumulateGradients} needs: the policy, its trainable variables, the micro-batches and the loss. */
export interface AccumulateInput {
  policy: TrainablePolicy<tf.Tensor, tf.Variable>;
  variables: readonly tf.Variable[];
  micros: readonly MicroInput[];
  withEntropy: boolean;
  build: (scores: TokenScores<tf.Tensor>, m: MicroInput) => BuiltLoss;
  at: NonFiniteLocation;
  /** Length of `BuiltLoss.sums`. */
  sumCount: number;
  /** Extra fields of the scoring request (the RL scoring temperature). */
  score?: { temperature?: number };
  /** Micro-batches computed elsewhere, by position in `micros` (their results are summed in the same order). */
  remote?: ReadonlyMap<number, Promise<MicroGradient>>;
}

/** The tensors of one micro-batch's backward pass; the caller owns them. */
export interface MicroTensors {
  value: tf.Scalar;
  grads: (tf.Tensor | undefined)[];
  probe: tf.Tensor;
  sums: tf.Tensor1D;
  maxima?: tf.Tensor1D;
  hadEntropy: boolean;
}

/** The loss of one micro-batch and its gradient w.r.t. `variables` (plus the log-prob probe and statistics). */
export function microGradient(input: Omit<AccumulateInput, 'micros' | 'at' | 'sumCount' | 'remote'>, m: MicroInput): MicroTensors {
  const { policy, variables, withEntropy, build, score = {} } = input;
  const kept: { probe?: tf.Tensor; sums?: tf.Tensor1D; maxima?: tf.Tensor1D } = {};
  let hadEntropy = false;
  const { value, grads } = tf.variableGrads(() => {
    const scores = policy.scoreTokens({ sequences: m.sequences, withEntropy, ...score });
    const [rows, cols] = scores.logprobs.shape;
    if (scores.logprobs.rank !== 2 || rows !== m.shape[0] || cols !== m.shape[1]) {
      throw new ArpoError(`${policy.modelId}: scoreTokens returned logprobs of shape [${scores.logprobs.shape.join(', ')}] (expected [${m.shape.join(', ')}])`);
    }
    if (withEntropy && scores.entropies) hadEntropy = true;
    // Σ log πθ over trained tokens: NaN / ±Infinity there must stop the update, and the loss alone
    // does not show it on wasm, whose clipByValue / maximum turn NaN into a bound.
    const trained = tf.greater(tf.tensor2d(m.mask, m.shape), 0);
    kept.probe = tf.keep(tf.sum(tf.where(trained, scores.logprobs, tf.zerosLike(scores.logprobs))));
    const built = build(scores, m);
    kept.sums = tf.keep(built.sums);
    if (built.maxima) kept.maxima = tf.keep(built.maxima);
    return built.loss;
  }, [...variables]);
  const out: MicroTensors = { value, grads: variables.map((v) => grads[v.name]), probe: kept.probe!, sums: kept.sums!, hadEntropy };
  if (kept.maxima) out.maxima = kept.maxima;
  return out;
}

/** [loss, probe, ...sums, ...maxima] of a micro-batch as one tensor (one read-back). */
export function microScalars(t: MicroTensors): tf.Tensor1D {
  return tf.tidy(() => tf.concat([tf.reshape(t.value, [1]), tf.reshape(t.probe, [1]), t.sums, ...(t.maxima ? [t.maxima] : [])]) as tf.Tensor1D);
}

/** Frees the scalar tensors of {@link MicroTensors} (not the gradients). */
export function disposeMicroScalars(t: MicroTensors): void {
  tf.dispose([t.value, t.probe, t.sums, ...(t.maxima ? [t.maxima] : [])]);
}

/**
 * Exact gradient accumulation, shared by the RL update and SFT: sums the gradients of the micro-batch losses
 * (each already weighted for the mini-batch) in micro-batch order, checking the trained tokens' log-probs, the loss
 * and the running gradient for NaN / ±Infinity after every micro-batch (one small read-back each: loss, log-prob
 * probe, stats and the per-variable Σg² of the running sum, which also gives the global norm). A non-finite running
 * sum means this micro-batch's gradient is the culprit: the previous sum was checked. Micro-batches in `remote` are
 * computed by other threads while this one computes the rest; the sum and the checks are the same, in the same
 * order, so the result does not depend on where a micro-batch was computed. On error the partial sum is disposed;
 * on success the caller owns `grads`.
 */
export async function accumulateGradients(input: AccumulateInput): Promise<Accumulated> {
  const { variables, micros, at, sumCount, remote } = input;
  const nVars = variables.length;
  let acc: (tf.Tensor | undefined)[] = new Array<tf.Tensor | undefined>(nVars).fill(undefined);
  const sums = new Float64Array(sumCount);
  let maxima = new Float64Array(0);
  let sumSquares = 0;
  let hadEntropy = false;
  try {
    for (let k = 0; k < micros.length; k++) {
      const m = micros[k]!;
      const pending = remote?.get(k);
      let grads: (tf.Tensor | undefined)[];
      let local: MicroTensors | undefined;
      let known: MicroGradient | undefined;
      if (pending) {
        known = await pending;
        grads = known.grads.map((g, i) => (g ? tf.tensor(g, variables[i]!.shape) : undefined));
        hadEntropy ||= known.hadEntropy;
      } else {
        local = microGradient(input, m);
        grads = local.grads;
        hadEntropy ||= local.hadEntropy;
      }
      acc = variables.map((_, i) => {
        const g = grads[i];
        const prev = acc[i];
        if (!g) return prev;
        if (!prev) return g;
        const sum = tf.add(prev, g);
        prev.dispose();
        g.dispose();
        return sum;
      });
      const check = tf.tidy(() =>
        tf.concat([...(local ? [microScalars(local)] : []), tf.stack(acc.map((g) => (g ? tf.sum(tf.square(g)) : tf.scalar(0))))]),
      );
      if (local) disposeMicroScalars(local);
      const data = await check.data();
      check.dispose();
      const nMax = local ? (local.maxima ? local.maxima.shape[0] : 0) : known!.maxima.length;
      const head = local ? data.subarray(0, 2 + sumCount + nMax) : Float32Array.from([known!.loss, known!.probe, ...known!.sums, ...known!.maxima]);
      const sq = local ? data.subarray(2 + sumCount + nMax) : data;
      const where = { ...at, microBatch: m.index };
      if (!Number.isFinite(head[1]!)) throw new NonFiniteError(`log πθ of a trained token (${input.policy.modelId} scoreTokens)`, head[1]!, where);
      if (!Number.isFinite(head[0]!)) throw new NonFiniteError('loss', head[0]!, where);
      for (let i = 0; i < nVars; i++) {
        if (!Number.isFinite(sq[i]!)) {
          const name = variables[i]!.name;
          throw new NonFiniteError(`gradient of ${name}${Number.isNaN(sq[i]!) ? '' : ' (or its squared norm)'}`, Number.isNaN(sq[i]!) ? NaN : Infinity, where);
        }
      }
      for (let i = 0; i < sumCount; i++) sums[i]! += head[2 + i]!;
      if (nMax > 0) {
        const mx = head.subarray(2 + sumCount, 2 + sumCount + nMax);
        maxima = maxima.length === 0 ? Float64Array.from(mx) : maxima.map((x, i) => Math.max(x, mx[i]!));
      }
      sumSquares = 0;
      for (let i = 0; i < nVars; i++) sumSquares += sq[i]!;
    }
  } catch (error) {
    tf.dispose(acc.filter((g): g is tf.Tensor => g !== undefined));
    throw error;
  }
  return { grads: acc, sumSquares, sums, maxima, ran: micros.length, hadEntropy };
}
