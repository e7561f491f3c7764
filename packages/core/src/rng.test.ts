import { describe, expect, it } from 'vitest';
import { createRng, rngFromState } from './rng.js';

describe('xoshiro128** RNG', () => {
  it('matches the reference algorithm from state [1, 2, 3, 4]', () => {
    // Independent Python port of the C reference (xoshiro128starstar.c), run once:
    // python3 -c "M=0xffffffff; rotl=lambda x,k:((x<<k)|(x>>(32-k)))&M; s=[1,2,3,4]; ..." (6 draws)
    // -> [11520, 0, 5927040, 70819200, 2031721883, 1637235492], final state [1110993931, 286554632, 2431677446, 2165318166]
    const rng = rngFromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4] });
    const draws = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(draws).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    expect(rng.getState().s).toEqual([1110993931, 286554632, 2431677446, 2165318166]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    expect(createRng('run-a').nextUint32()).toBe(createRng('run-a').nextUint32());
    expect(createRng(2 ** 40).nextUint32()).not.toBe(createRng(0).nextUint32());
  });

  it('next() is in [0, 1) with mean near 1/2', () => {
    const rng = createRng(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.next();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Std of the mean of 20000 uniforms is sqrt(1/12/20000) ≈ 0.002; 5 sigma = 0.01.
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });

  it('int(n) covers [0, n) evenly and rejects bad n', () => {
    const rng = createRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[rng.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120); // 4.6 sigma of Binomial(3000, 1/3)
    expect(() => rng.int(0)).toThrow(/n = 0/);
    expect(() => rng.int(1.5)).toThrow(/expected an integer/);
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.035); // 5 sigma = 5/sqrt(20000)
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('shuffle returns a permutation and leaves the input alone', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = createRng(5).shuffle(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(createRng(5).shuffle(items)).toEqual(shuffled);
  });

  it('split gives independent, label-dependent, reproducible streams', () => {
    const parent = createRng(9);
    const x = parent.split('x');
    const y = parent.split('x');
    expect(x.nextUint32()).not.toBe(y.nextUint32()); // the parent moved on between splits
    const p1 = createRng(9);
    const p2 = createRng(9);
    expect(p1.split('a').nextUint32()).not.toBe(p2.split('b').nextUint32());
    expect(createRng(9).split('a').next()).toBe(createRng(9).split('a').next());
  });

  it('getState / rngFromState resumes the exact sequence', () => {
    const rng = createRng(123);
    rng.next();
    const state = JSON.parse(JSON.stringify(rng.getState()));
    const expected = [rng.next(), rng.next(), rng.nextUint32()];
    const resumed = rngFromState(state);
    expect([resumed.next(), resumed.next(), resumed.nextUint32()]).toEqual(expected);
  });

  it('rejects invalid seeds and states', () => {
    expect(() => createRng(1.5)).toThrow(/seed = 1.5/);
    expect(() => rngFromState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0] })).toThrow(/not all zero/);
  });
});
