import { describe, expect, it } from 'vitest';
import { clippedSurrogate, CLIP_BRANCH_CODE, surrogateToken } from './clipped-surrogate.js';

// Reference constants (spec §5): ε_low = ε_high = 0.2, c = 3. Inputs use log π_old = 0 and log πθ = ln ρ,
// so ρ is exact. L1 = −A·ρ, L2 = −A·clip(ρ, 0.8, 1.2), Lclip = max(L1, L2), A < 0: min(Lclip, −3A).
const REF = { clipRatioLow: 0.2, clipRatioHigh: 0.2, clipRatioC: 3 };
const tok = (rho: number, a: number, clip = REF) => surrogateToken(Math.log(rho), 0, a, clip);

describe('surrogateToken: each branch by hand', () => {
  it('inside the trust region: L = −A·ρ, no clip', () => {
    // A = 1, ρ = 1.1: L1 = −1.1, L2 = −1·clip(1.1) = −1.1 → −1.1
    const t = tok(1.1, 1);
    expect(t.loss).toBeCloseTo(-1.1, 12);
    expect(t.branch).toBe('none');
    // A = −1, ρ = 0.9: L1 = 0.9, L2 = 0.9 → 0.9; −3A = 3 > 0.9
    expect(tok(0.9, -1)).toMatchObject({ branch: 'none' });
    expect(tok(0.9, -1).loss).toBeCloseTo(0.9, 12);
  });

  it('high clip: A > 0 and ρ > 1 + ε_high holds the loss at −A·(1 + ε_high)', () => {
    // A = 2, ρ = 1.5: L1 = −3, L2 = −2·1.2 = −2.4 → max = −2.4
    const t = tok(1.5, 2);
    expect(t.loss).toBeCloseTo(-2.4, 12);
    expect(t.branch).toBe('high');
  });

  it('A > 0 and ρ < 1 − ε_low is NOT clipped (PPO lets the ratio rise back)', () => {
    // A = 1, ρ = 0.5: L1 = −0.5, L2 = −0.8 → max = −0.5 (L1, gradient flows)
    const t = tok(0.5, 1);
    expect(t.loss).toBeCloseTo(-0.5, 12);
    expect(t.branch).toBe('none');
  });

  it('low clip: A < 0 and ρ < 1 − ε_low holds the loss at −A·(1 − ε_low)', () => {
    // A = −1, ρ = 0.5: L1 = 0.5, L2 = 0.8 → 0.8; min(0.8, 3) = 0.8
    const t = tok(0.5, -1);
    expect(t.loss).toBeCloseTo(0.8, 12);
    expect(t.branch).toBe('low');
  });

  it('A < 0 and 1 + ε_high < ρ < c is NOT clipped', () => {
    // A = −1, ρ = 2: L1 = 2, L2 = 1.2 → Lclip = 2; min(2, 3) = 2
    const t = tok(2, -1);
    expect(t.loss).toBeCloseTo(2, 12);
    expect(t.branch).toBe('none');
  });

  it('dual-clip: A < 0 and ρ > c caps the loss at −A·c', () => {
    // A = −0.5, ρ = 4: L1 = 2, L2 = 0.6 → Lclip = 2; −A·c = 1.5 → min = 1.5
    const t = tok(4, -0.5);
    expect(t.loss).toBeCloseTo(1.5, 12);
    expect(t.branch).toBe('dual');
    // without the dual clip (c huge) it would be 2
    expect(tok(4, -0.5, { ...REF, clipRatioC: 1e9 }).loss).toBeCloseTo(2, 12);
  });

  it('A = 0 gives 0 and no clip', () => {
    expect(tok(7, 0)).toMatchObject({ loss: -0, branch: 'none' });
  });

  it('clip-higher (DAPO ε_high = 0.28) and an asymmetric ε_low', () => {
    // A = 1, ρ = 1.25: ε_high 0.2 → −1.2 (high); ε_high 0.28 → −1.25 (none)
    expect(tok(1.25, 1)).toMatchObject({ branch: 'high' });
    expect(tok(1.25, 1).loss).toBeCloseTo(-1.2, 12);
    const dapo = tok(1.25, 1, { ...REF, clipRatioHigh: 0.28 });
    expect(dapo.branch).toBe('none');
    expect(dapo.loss).toBeCloseTo(-1.25, 12);
    // ε_low = 0.1, A = −1, ρ = 0.85: L1 = 0.85, L2 = 0.9 → 0.9 (low); with ε_low 0.2: 0.85 (none)
    expect(tok(0.85, -1, { ...REF, clipRatioLow: 0.1 })).toMatchObject({ branch: 'low' });
    expect(tok(0.85, -1, { ...REF, clipRatioLow: 0.1 }).loss).toBeCloseTo(0.9, 12);
    expect(tok(0.85, -1).branch).toBe('none');
  });

  it('clamps log ρ to ±20 (verl) so ρ stays finite', () => {
    const t = surrogateToken(5, -25, 1, REF); // log ρ = 30 → 20
    expect(t.ratio).toBe(Math.exp(20));
    expect(t.loss).toBeCloseTo(-1.2, 12);
    expect(surrogateToken(-1000, 0, -1, REF).ratio).toBe(Math.exp(-20));
  });
});

describe('clippedSurrogate over arrays', () => {
  it('matches surrogateToken element-wise and codes the branches', () => {
    const rho = [1.1, 1.5, 0.5, 0.5, 4];
    const adv = [1, 2, 1, -1, -0.5];
    const out = clippedSurrogate(rho.map(Math.log), [0, 0, 0, 0, 0], adv, REF);
    expect(Array.from(out.losses).map((x) => +x.toFixed(12))).toEqual([-1.1, -2.4, -0.5, 0.8, 1.5]);
    expect(Array.from(out.branches)).toEqual([CLIP_BRANCH_CODE.none, CLIP_BRANCH_CODE.high, CLIP_BRANCH_CODE.none, CLIP_BRANCH_CODE.low, CLIP_BRANCH_CODE.dual]);
  });

  it('rejects misaligned arrays and bad constants', () => {
    expect(() => clippedSurrogate([0, 0], [0], [1, 1], REF)).toThrow(/oldLogprobs has 1 entries \(expected 2\)/);
    expect(() => clippedSurrogate([0], [0], [1], { ...REF, clipRatioC: 1 })).toThrow(/clipRatioC = 1 \(expected a number > 1\)/);
  });
});
