// Test-only: a random per-token loss batch whose ratios span every clip branch.
import { lcg } from './fixtures.js';

/** `[B, L]` of the loss tests. */
export const LOSS_BATCH_SHAPE = [4, 7] as const;

/**
 * A random batch `[4, 7]` whose ratios span every clip branch (log ρ ~ U(−1.5, 2), A of both signs per row), with ρ
 * at least 1e-3 away from the kinks (default 0.8, 1.2, 3: ε_low = ε_high = 0.2, c = 3), so that finite differences
 * do not straddle one. H ~ U(0, 2), π_ref near πθ, about 80% of the positions within each row's length trained.
 */
export function lossBatch(seed: number, kinks: readonly number[] = [0.8, 1.2, 3]) {
  const [B, L] = LOSS_BATCH_SHAPE;
  const r = lcg(seed);
  const n = B * L;
  const old = Array.from({ length: n }, () => -0.2 - 3 * r());
  const logprobs = old.map((o) => {
    for (;;) {
      const lr = 3.5 * r() - 1.5;
      const rho = Math.exp(lr);
      if (kinks.every((k) => Math.abs(rho - k) > 1e-3)) return o + lr;
    }
  });
  const rowAdv = Array.from({ length: B }, (_, i) => (i % 2 ? -1 : 1) * (0.2 + 2 * r()));
  const advantages = Array.from({ length: n }, (_, k) => rowAdv[Math.floor(k / L)]!);
  const lengths = [7, 5, 3, 6];
  const mask = Array.from({ length: n }, (_, k) => (k % L < lengths[Math.floor(k / L)]! && r() > 0.2 ? 1 : 0));
  const refLogprobs = logprobs.map((x) => x + r() - 0.5);
  const entropies = Array.from({ length: n }, () => 2 * r());
  return { logprobs, oldLogprobs: old, advantages, mask, refLogprobs, entropies, shape: LOSS_BATCH_SHAPE };
}
