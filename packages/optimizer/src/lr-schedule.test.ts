import { describe, expect, it } from 'vitest';
import { learningRateAt, warmupSteps } from './lr-schedule.js';

describe('learning-rate schedules (HF semantics)', () => {
  it('constant, the reference (lr 1e-6, no warm-up)', () => {
    const c = { learningRate: 1e-6, schedule: 'constant' as const, warmupRatio: 0 };
    expect([0, 1, 100].map((s) => learningRateAt(s, c))).toEqual([1e-6, 1e-6, 1e-6]);
  });

  it('constant with warm-up: lr·s/W for s < W', () => {
    // W = floor(0.25·8) = 2: [0, 0.5, 1, 1]·lr
    const c = { learningRate: 2, schedule: 'constant' as const, warmupRatio: 0.25 };
    expect(warmupSteps(c, 8)).toBe(2);
    expect([0, 1, 2, 3].map((s) => learningRateAt(s, c, 8))).toEqual([0, 1, 2, 2]);
  });

  it('cosine with warm-up (LLaMA-Factory SFT: cosine, warm-up 0.1)', () => {
    // S = 10, W = 1: s=0 → 0; s ≥ 1: lr·½(1 + cos(π(s−1)/9)); s=1 → lr, s=5.5 would be lr/2, s=10 → 0
    const c = { learningRate: 1, schedule: 'cosine' as const, warmupRatio: 0.1 };
    expect(learningRateAt(0, c, 10)).toBe(0);
    expect(learningRateAt(1, c, 10)).toBe(1);
    expect(learningRateAt(4, c, 10)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 3)), 14); // 0.75
    expect(learningRateAt(10, c, 10)).toBeCloseTo(0, 14);
    expect(learningRateAt(25, c, 10)).toBeCloseTo(0, 14);
  });

  it('needs totalSteps for cosine and warm-up', () => {
    expect(() => learningRateAt(0, { learningRate: 1, schedule: 'cosine', warmupRatio: 0 })).toThrow(/cosine needs totalSteps/);
    expect(() => learningRateAt(0, { learningRate: 1, schedule: 'constant', warmupRatio: 0.1 })).toThrow(/needs totalSteps/);
  });
});
