import { describe, expect, it } from 'vitest';
import { klPenalty, klToken } from './kl-penalty.js';

// logp = [−1, −2, −0.5, −30], ref = [−1.5, −1, −0.5, 0]  →  d = logp − ref = [0.5, −1, 0, −30]
// numpy: d=np.array([.5,-1,0,-30]); x=np.clip(-d,-20,20)
//   k1 = d                                   = [0.5, −1, 0, −30]
//   k2 = 0.5*d**2                            = [0.125, 0.5, 0, 450]
//   k3 = np.clip(np.exp(x)-x-1, -10, 10)     = [0.10653065971263342, 0.7182818284590451, 0, 10]
const LOGP = [-1, -2, -0.5, -30];
const REF = [-1.5, -1, -0.5, 0];

describe('KL estimators by hand', () => {
  it('k1 = log πθ − log π_ref', () => {
    expect(Array.from(klPenalty(LOGP, REF, 'k1'))).toEqual([0.5, -1, 0, -30]);
  });
  it('k2 = ½·d²', () => {
    expect(Array.from(klPenalty(LOGP, REF, 'k2'))).toEqual([0.125, 0.5, 0, 450]);
  });
  it('k3 (low_var_kl) = e^{ref−logp} − (ref−logp) − 1, clamped to [−10, 10]', () => {
    const k3 = klPenalty(LOGP, REF, 'k3');
    expect(k3[0]).toBeCloseTo(0.10653065971263342, 14);
    expect(k3[1]).toBeCloseTo(0.7182818284590451, 14);
    expect(k3[2]).toBe(0);
    expect(k3[3]).toBe(10); // e^20 − 21 clamped
    expect(klToken(-5, -5, 'k3')).toBe(0);
    // k3 ≥ 0 always (e^x ≥ 1 + x): the lower clamp never binds
    expect(klToken(0, -5, 'k3')).toBeCloseTo(Math.exp(-5) + 5 - 1, 12);
    expect(klToken(-3, 0, 'k3')).toBe(10); // e^3 − 3 − 1 = 16.09 → 10
  });
});
