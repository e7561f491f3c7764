import * as tf from '@tensorflow/tfjs';
import type { LayerKv } from './attention.js';

/** The cached keys/values of one sequence: `layers[l].k/v` are `[1, Hkv, tokens.length, d]`. */
export interface CacheEntry {
  /** The tokens whose keys/values are cached (a prefix of what the sequence has seen). */
  tokens: number[];
  layers: LayerKv[];
}

/**
 * Per-sequence KV caches kept across `generate` calls, keyed by the rollout engine's sequence ids, with
 * least-recently-used eviction beyond `maxEntries`. Entries own their tensors.
 */
export class KvCacheStore {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly maxEntries: number) {}

  /** Number of cached sequences. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry of `id` (marks it recently used). */
  get(id: string): CacheEntry | undefined {
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      this.entries.set(id, e);
    }
    return e;
  }

  /** Stores (replacing and disposing any previous entry), evicting the least recently used. */
  set(id: string, entry: CacheEntry): void {
    const old = this.entries.get(id);
    if (old && old !== entry) disposeEntry(old);
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) {
      const [oldest, e] = this.entries.entries().next().value as [string, CacheEntry];
      this.entries.delete(oldest);
      disposeEntry(e);
    }
  }

  /** `childId` gets a copy of `parentId`'s cache (no recomputation); no-op without a parent entry. */
  fork(parentId: string, childId: string): void {
    const parent = this.entries.get(parentId);
    if (!parent || parentId === childId) return;
    this.set(childId, {
      tokens: parent.tokens.slice(),
      layers: parent.layers.map((l) => ({ k: tf.clone(l.k), v: tf.clone(l.v) })),
    });
  }

  /** Frees `id`'s cache. */
  release(id: string): void {
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      disposeEntry(e);
    }
  }

  /** Frees every cache. */
  clear(): void {
    for (const e of this.entries.values()) disposeEntry(e);
    this.entries.clear();
  }

  /** Bytes held by cached tensors. */
  bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) for (const l of e.layers) n += (l.k.size + l.v.size) * 4;
    return n;
  }
}

function disposeEntry(e: CacheEntry): void {
  for (const l of e.layers) {
    l.k.dispose();
    l.v.dispose();
  }
}
