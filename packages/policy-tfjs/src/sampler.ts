import { ArpoError, type Rng, type SamplingParams, type TokenLogprob } from '@arpo/core';

/** One sampled position. */
export interface SampledToken {
  token: number;
  /** ln softmax(z / T)[token] over the whole vocabulary (T = 1 when greedy). */
  logprob: number;
  /** The `topLogprobs` most likely tokens of the same distribution, most likely first. */
  top?: TokenLogprob[];
}

/**
 * Indices of the `k` largest `values[i]` (ties: lower index first), largest first. O(V log k) with a
 * bounded min-heap, so top-k over a 150k vocabulary stays cheap.
 */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  k = Math.min(k, n);
  if (k <= 0) return [];
  // "a ranks below b" = a is smaller, or equal with a larger index.
  const below = (a: number, b: number): boolean => values[a]! < values[b]! || (values[a] === values[b] && a > b);
  const heap: number[] = [];
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!below(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && below(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && below(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < k) {
      heap.push(i);
      siftUp(heap.length - 1);
    } else if (below(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}

/**
 * Samples one token from a row of logits on the host with the row's RNG: temperature T (0 = greedy),
 * then top-k, then top-p (nucleus over the renormalised top-k set, always keeping the token that crosses
 * p), as in HF `generate` and vLLM. The reported log-prob is of the untruncated softmax(z / T).
 * Throws `ArpoError` on a NaN or +∞ logit.
 */
export function sampleLogits(
  logits: Float32Array,
  params: SamplingParams,
  rng: Rng,
  topLogprobs = 0,
): SampledToken {
  const v = logits.length;
  const greedy = params.temperature === 0;
  const invT = greedy ? 1 : 1 / params.temperature;
  let max = -Infinity;
  let argmax = 0;
  for (let j = 0; j < v; j++) {
    const z = logits[j]!;
    if (Number.isNaN(z) || z === Infinity) throw new ArpoError(`sampling: logit of token ${j} = ${z} (expected finite logits)`);
    if (z > max) {
      max = z;
      argmax = j;
    }
  }
  const m = max * invT;
  let sum = 0;
  for (let j = 0; j < v; j++) sum += Math.exp(logits[j]! * invT - m);
  const logZ = m + Math.log(sum);
  let token = argmax;
  if (!greedy && params.topK !== 1) {
    let candidates: number[] | undefined;
    if (params.topK > 0 && params.topK < v) candidates = topIndices(logits, params.topK);
    if (params.topP < 1) {
      candidates ??= topIndices(logits, v);
      let mass = 0;
      for (const j of candidates) mass += Math.exp(logits[j]! * invT - m);
      let cum = 0;
      let keep = 0;
      while (keep < candidates.length) {
        cum += Math.exp(logits[candidates[keep]!]! * invT - m) / mass;
        keep++;
        if (cum >= params.topP) break;
      }
      candidates = candidates.slice(0, keep);
    }
    token = candidates ? drawFrom(candidates, logits, invT, m, rng) : drawAll(logits, invT, m, sum, rng);
  }
  const result: SampledToken = { token, logprob: logits[token]! * invT - logZ };
  if (topLogprobs > 0) {
    result.top = topIndices(logits, topLogprobs).map((j) => ({ token: j, logprob: logits[j]! * invT - logZ }));
  }
  return result;
}

function drawAll(logits: Float32Array, invT: number, m: number, sum: number, rng: Rng): number {
  let u = rng.next() * sum;
  let last = 0;
  for (let j = 0; j < logits.length; j++) {
    const w = Math.exp(logits[j]! * invT - m);
    if (w > 0) last = j;
    u -= w;
    if (u < 0) return j;
  }
  return last; // rounding: u stayed >= 0 after the last positive weight
}

function drawFrom(candidates: number[], logits: Float32Array, invT: number, m: number, rng: Rng): number {
  let sum = 0;
  for (const j of candidates) sum += Math.exp(logits[j]! * invT - m);
  let u = rng.next() * sum;
  for (const j of candidates) {
    u -= Math.exp(logits[j]! * invT - m);
    if (u < 0) return j;
  }
  return candidates[candidates.length - 1]!;
}
