import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson-interval.js';

describe('wilsonInterval', () => {
  it('matches hand-computed 95% intervals', () => {
    // 5/10: centre (0.5 + 1.96²/20) / (1 + 1.96²/10) = 0.69208/1.38416 = 0.5; half-width 1.96·√(0.025 + 0.009604)/1.38416 = 0.263412
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.236593, 5);
    expect(hi).toBeCloseTo(0.763407, 5);
    // 0/10: [0, 2·0.19208/1.38416] = [0, 0.277540]
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.27754, 5);
    // 10/10 mirrors 0/10
    expect(wilsonInterval(10, 10)[0]).toBeCloseTo(1 - 0.27754, 5);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow('wilsonInterval: correct = 3, n = 2');
    expect(() => wilsonInterval(1, 2.5)).toThrow(RangeError);
  });
});
