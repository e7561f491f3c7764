import { ArpoError } from '@arpo/core';

/**
 * Splits micro-batches (in order) into at most `lanes` contiguous runs, one per gradient lane, minimising the
 * largest run's cost (padded size rows × columns, a proxy for forward + backward time). Contiguous runs summed in
 * lane order keep the accumulation order fixed, whichever lane finishes first. Returns micro-batch indices per
 * lane; no run is empty (fewer runs when there are fewer micro-batches than lanes).
 */
export function shardMicroBatches(micros: readonly { shape: readonly [number, number] }[], lanes: number): number[][] {
  if (!Number.isInteger(lanes) || lanes < 1) throw new ArpoError(`shardMicroBatches: lanes = ${lanes} (expected an integer >= 1)`);
  const n = micros.length;
  const k = Math.min(lanes, n);
  if (k <= 1) return n === 0 ? [] : [micros.map((_, i) => i)];
  const prefix = [0];
  for (const m of micros) prefix.push(prefix[prefix.length - 1]! + Math.max(1, m.shape[0] * m.shape[1]));
  const cost = (a: number, b: number): number => prefix[b]! - prefix[a]!;
  // best[j][i]: smallest max-cost splitting the first i micro-batches into j non-empty runs; cut[j][i]: start of run j.
  const best = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0]![0] = 0;
  for (let j = 1; j <= k; j++) {
    for (let i = j; i <= n - (k - j); i++) {
      for (let s = j - 1; s < i; s++) {
        const v = Math.max(best[j - 1]![s]!, cost(s, i));
        if (v < best[j]![i]!) {
          best[j]![i] = v;
          cut[j]![i] = s;
        }
      }
    }
  }
  const runs: number[][] = [];
  let end = n;
  for (let j = k; j >= 1; j--) {
    const start = cut[j]![end]!;
    runs.unshift(Array.from({ length: end - start }, (_, t) => start + t));
    end = start;
  }
  return runs;
}
