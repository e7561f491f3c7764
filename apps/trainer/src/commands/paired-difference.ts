/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom (beyond: the normal's 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: the multiplier of a two-sided 95% t-interval. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile975: df = ${df} (expected an integer >= 1)`);
  return T975[df - 1] ?? 1.96;
}

/** The mean of paired differences x_i − y_i with its two-sided 95% t-interval over the n pairs (none for n < 2). */
export interface PairedDifference {
  mean: number;
  /** [mean − t·s/√n, mean + t·s/√n], s the sample sd of the differences; null with fewer than 2 pairs. */
  interval95: [number, number] | null;
  pairs: number;
}

/** Paired difference of `x` and `y` over the keys both have (e.g. seeds), keys in ascending order. */
export function pairedDifference(x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>): PairedDifference {
  const keys = [...x.keys()].filter((k) => y.has(k)).sort((a, b) => a - b);
  const d = keys.map((k) => x.get(k)! - y.get(k)!);
  const n = d.length;
  if (n === 0) return { mean: NaN, interval95: null, pairs: 0 };
  const mean = d.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, interval95: null, pairs: n };
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { mean, interval95: [mean - half, mean + half], pairs: n };
}
