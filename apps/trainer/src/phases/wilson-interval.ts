/**
 * The Wilson score interval of a proportion with `correct` successes out of `n` (95% by default, z = 1.96):
 * (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Unlike p̂ ± z·√(p̂(1 − p̂)/n) it stays inside [0, 1] and
 * is not empty at p̂ = 0 or 1. n = 0 gives [0, 1].
 */
export function wilsonInterval(correct: number, n: number, z = 1.96): [number, number] {
  if (!(Number.isInteger(n) && n >= 0 && correct >= 0 && correct <= n)) {
    throw new RangeError(`wilsonInterval: correct = ${correct}, n = ${n} (expected integers with 0 <= correct <= n)`);
  }
  if (n === 0) return [0, 1];
  const p = correct / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return [Math.max(0, (centre - half) / denom), Math.min(1, (centre + half) / denom)];
}
