import { ArpoError } from '@arpo/core';
import { checkPositive, nonFiniteError } from './checks.js';

/** Options of {@link tokenEntropy} and {@link tokenEntropies}. */
export interface TokenEntropyOptions {
  /** Sampling temperature T > 0: the distribution is softmax(z / T). Default 1. */
  temperature?: number;
}

/**
 * Shannon entropy in nats of one position's next-token distribution, paper Eq. 3:
 * H_t = −Σ_j p_{t,j} ln p_{t,j} with p_t = softmax(z_t / T).
 *
 * Numerically stable for any finite logits (magnitude 1e4, vocab 150k and beyond), in float64: with
 * m = max_j z_j / T, d_j = z_j / T − m ≤ 0, Z = Σ_j e^{d_j} ∈ [1, V] and ln p_j = d_j − ln Z,
 *   H = −Σ_j p_j (d_j − ln Z) = ln Z − (Σ_j d_j e^{d_j}) / Z,
 * where both terms are ≥ 0 (no cancellation) and no exponent exceeds 0 (no overflow). The max is tracked
 * online in the same single pass (rescaling the sums when it grows). Uniform logits give exactly ln V.
 *
 * A logit of −Infinity is a token with probability 0 (a masked vocabulary entry) and contributes 0; NaN,
 * +Infinity, or no finite logit at all throw an `ArpoError` naming the index.
 *
 * @param logits z_t, one position's V logits (`number[]`, `Float32Array`, …).
 * @param options.temperature T > 0 (default 1); anything else throws `ArpoConfigError` naming the value.
 * @returns H_t in nats, in [0, ln V].
 */
export function tokenEntropy(logits: ArrayLike<number>, options: TokenEntropyOptions = {}): number {
  const temperature = options.temperature ?? 1;
  checkPositive('tokenEntropy options', 'temperature', temperature);
  const invT = 1 / temperature;
  const n = logits.length;
  // One pass with a running max m: Z = Σ e^{d}, S = Σ d·e^{d}, d = z/T − m. A new max m' rescales both by
  // c = e^{m − m'}: Z ← c·Z, S ← c·(S − (m' − m)·Z). Same result as max-then-sum, one read of the logits.
  let m = -Infinity;
  let z = 0;
  let s = 0;
  for (let j = 0; j < n; j++) {
    const x = logits[j]! * invT;
    if (x > m) {
      if (z > 0) {
        const c = Math.exp(m - x);
        s = c * (s - (x - m) * z);
        z *= c;
      }
      m = x;
      z += 1;
    } else if (x !== -Infinity) {
      const d = x - m;
      const e = Math.exp(d);
      z += e;
      s += d * e;
    }
  }
  const h = Math.log(z) - s / z;
  if (!Number.isFinite(h)) throw invalidLogits(logits, n);
  return h > 0 ? h : 0;
}

/** The slow path, taken only when the fast pass produced a non-finite result: name the offending index. */
function invalidLogits(logits: ArrayLike<number>, n: number): ArpoError {
  for (let j = 0; j < n; j++) {
    const v = logits[j]!;
    if (Number.isNaN(v) || v === Infinity) return nonFiniteError('tokenEntropy', 'logits', j, v, 'a finite number or -Infinity');
  }
  return new ArpoError(`tokenEntropy: logits has no finite value (length ${n}); the distribution is undefined`);
}
