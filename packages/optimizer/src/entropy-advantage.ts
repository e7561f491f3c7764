import { ArpoError } from '@arpo/core';
import { checkLength, checkMask } from './checks.js';

/**
 * z(H) of AEPO's entropy-aware advantage (arXiv 2510.14545; its code `compute_policy_loss_entropy_balanced_clipping`):
 * z = (H − mean)/std over the tokens with mask 1, std the unbiased (N − 1) one of torch's `.std()` and 1 when it is 0.
 * Tokens with mask 0 get z = 0 (they carry no loss; their entropies, e.g. padding, are never read). With one trained
 * token z = 0 (torch's std of one value is NaN, which would make the reference's loss NaN); with none, all zeros.
 * Float64; the reference of the tensor version used in training.
 */
export function entropyZScores(entropies: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  checkLength('entropyZScores', 'mask', mask, entropies.length);
  checkMask('entropyZScores', mask);
  const n = entropies.length;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const h = entropies[i]!;
    if (!Number.isFinite(h)) throw new ArpoError(`entropyZScores: entropies[${i}] = ${h} (expected a finite number at a trained token)`);
    count += 1;
    sum += h;
  }
  const z = new Float64Array(n);
  if (count === 0) return z;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < n; i++) if (mask[i]) squares += (entropies[i]! - mean) ** 2;
  const std = count > 1 ? Math.sqrt(squares / (count - 1)) : 0;
  const scale = std === 0 ? 1 : std;
  for (let i = 0; i < n; i++) if (mask[i]) z[i] = (entropies[i]! - mean) / scale;
  return z;
}

/**
 * AEPO's entropy-aware ("entropy-balanced") advantage: Ã = A·(1 + a·z(H)) with z from {@link entropyZScores} over the
 * trained tokens of this batch (in training: of the micro-batch, so Ã depends on how sequences are grouped into
 * micro-batches). H is the current policy's token entropy, taken as a constant (the reference detaches it). a is
 * `loss.entropyAdvantageWeight` (AEPO 0.2); a = 0 returns A unchanged. Ã replaces A everywhere in the policy loss
 * (L1, L2 and the dual-clip bound −Ã·c).
 */
export function entropyAwareAdvantages(advantages: ArrayLike<number>, entropies: ArrayLike<number>, mask: ArrayLike<number>, weight: number): Float64Array {
  checkLength('entropyAwareAdvantages', 'entropies', entropies, advantages.length);
  if (!(weight >= 0) || !Number.isFinite(weight)) throw new ArpoError(`entropyAwareAdvantages: weight = ${weight} (expected a finite number >= 0)`);
  const out = Float64Array.from(advantages);
  if (weight === 0) return out;
  const z = entropyZScores(entropies, mask);
  for (let i = 0; i < out.length; i++) out[i] = advantages[i]! * (1 + weight * z[i]!);
  return out;
}
