import { ArpoError } from './errors.js';
/**
 * A seeded, splittable pseudo-random number generator (xoshiro128**, 32-bit state words).
 * Every random choice in arpo (branching, sampling, data shuffles) goes through one of these so runs
 * are reproducible; `split` derives independent streams for components, `getState`/`fromState` let a
 * trainer checkpoint and resume the exact sequence.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number;
  /** Standard normal draw (Box–Muller). */
  normal(): number;
  /** Fisher–Yates shuffle of a copy of `items`. */
  shuffle<T>(items: readonly T[]): T[];
  /**
   * An independent generator. Consumes four draws of this one, mixed with `label` when given, so
   * `split('a')` and `split('b')` differ and the parent's sequence moves on.
   */
  split(label?: string): Rng;
  /** The full state, enough to resume exactly where this generator stands. */
  getState(): RngState;
}

/** Serialisable state of an {@link Rng}. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** Four unsigned 32-bit words, not all zero. */
  s: [number, number, number, number];
}

/** Creates a generator from an integer or string seed. Equal seeds give equal sequences. */
export function createRng(seed: number | string): Rng {
  return new Xoshiro128(seedWords(seed));
}

/** Restores a generator from {@link Rng.getState}. */
export function rngFromState(state: RngState): Rng {
  if (state.algorithm !== 'xoshiro128**' || state.s.length !== 4 || state.s.every((w) => w === 0)) {
    throw new ArpoError(`Invalid RNG state: ${JSON.stringify(state)} (expected xoshiro128** with 4 words, not all zero)`);
  }
  return new Xoshiro128(state.s.map((w) => w >>> 0) as [number, number, number, number]);
}

class Xoshiro128 implements Rng {
  private s: [number, number, number, number];

  constructor(s: [number, number, number, number]) {
    this.s = [...s];
  }

  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`rng.int(n): n = ${n} (expected an integer in [1, 2^32])`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  split(label?: string): Rng {
    const words: [number, number, number, number] = [
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
    ];
    const salt = label === undefined ? 0 : fnv1a(label);
    let x = salt;
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x ^ words[i]!);
      words[i] = x;
    }
    if (words.every((w) => w === 0)) words[0] = 1;
    return new Xoshiro128(words);
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', s: [this.s[0], this.s[1], this.s[2], this.s[3]].map((w) => w >>> 0) as RngState['s'] };
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32 finaliser: a bijective 32-bit mix. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function seedWords(seed: number | string): [number, number, number, number] {
  let x: number;
  if (typeof seed === 'string') {
    x = fnv1a(seed);
  } else {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`RNG seed = ${seed} (expected a safe integer or a string)`);
    }
    // Fold the high bits in so seeds that differ only above 2^32 differ.
    x = (seed >>> 0) ^ splitmix32(Math.floor(seed / 2 ** 32) >>> 0);
  }
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    x = splitmix32(x);
    words[i] = x;
  }
  if (words.every((w) => w === 0)) words[0] = 1;
  return words;
}
