import * as tf from '@tensorflow/tfjs';
import {
  ArpoError,
  type GenerateRequest,
  type Generation,
  type GenerationFinishReason,
  type Rng,
  type TokenLogprob,
  type Tokenizer,
} from '@arpo/core';
import { tokenEntropies } from '@arpo/entropy/tfjs';
import { MASKED, type LayerKv } from './attention.js';
import type { Decoder } from './decoder.js';
import type { CacheEntry, KvCacheStore } from './kv-cache-store.js';
import { sampleLogits } from './sampler.js';
import { StopDetector } from './stop-detector.js';

/** What {@link generateBatch} needs besides the request. */
export interface GenerateContext {
  decoder: Decoder;
  tokenizer: Tokenizer;
  /** Token ids that end a sequence (finish reason `eos`). */
  eosTokenIds: ReadonlySet<number>;
  /** Per-sequence caches across calls (used for rows with a sequence id). */
  store?: KvCacheStore;
  /** Decode with a KV cache (default) or recompute the whole prefix every step (reference / benchmark). */
  useCache: boolean;
  /**
   * The row index each prefix had in the request it was split from (its RNG stream is `row:<index>`): a part of a
   * request, generated elsewhere with the same seed, then gives the same tokens as the whole request.
   */
  rowIndices?: readonly number[];
}

/** Statistics of one call, for tests and benchmarks. */
export interface GenerateStats {
  /** Tokens run through the model in prefill (cached tokens are not counted). */
  prefillTokens: number;
  /** Tokens whose keys/values came from a sequence's cache. */
  reusedTokens: number;
  /** Decode steps (batched forward passes after the prefill). */
  steps: number;
}

interface Row {
  index: number;
  id: string | undefined;
  prefix: readonly number[];
  maxNew: number;
  rng: Rng;
  generated: number[];
  logprobs: number[];
  entropies: number[];
  top: TokenLogprob[][];
  finish?: GenerationFinishReason;
  stopString?: string;
}

/** Keys/values of the active rows, left-padded to a common length `s`. */
interface BatchCache {
  layers: LayerKv[];
  /** Left padding of each active row. */
  pads: number[];
  s: number;
}

/**
 * Batched sampling (the `Policy.generate` algorithm): prefill each row's uncached suffix (rows grouped by
 * cached/new lengths, reusing a sequence's cache when its tokens are a prefix of the new prefix), then
 * decode one token per active row per step against a left-padded batch KV cache, sampling on the host
 * with one RNG stream per row (split from `rng` in row order, so results do not depend on batch
 * composition). Finished rows leave the batch; rows with a sequence id leave their cache in the store.
 */
export function generateBatch(ctx: GenerateContext, request: GenerateRequest, rng: Rng, stats?: GenerateStats): Generation[] {
  const { decoder } = ctx;
  const { vocab, maxPositions } = decoder.dims;
  const valid = validate(request, vocab, maxPositions);
  const streams = rowStreams(rng, ctx.rowIndices ?? valid.map((r) => r.index), valid.length);
  const rows = valid.map((r) => ({ ...r, rng: streams[r.index]! }));
  const sampling = request.sampling;
  const temperature = sampling.temperature > 0 ? sampling.temperature : 1;
  const topLogprobs = request.topLogprobs ?? 0;
  const stop = request.stop && request.stop.length > 0 ? new StopDetector(ctx.tokenizer, request.stop) : undefined;
  const st = stats ?? { prefillTokens: 0, reusedTokens: 0, steps: 0 };

  let active: Row[] = rows.filter((r) => {
    if (r.maxNew > 0) return true;
    r.finish = 'length';
    return false;
  });
  let cache: BatchCache | undefined;
  let logits: tf.Tensor2D | undefined;
  try {
    if (active.length > 0) {
      if (ctx.useCache) {
        const pre = prefill(ctx, active, st);
        cache = pre.cache;
        logits = pre.logits;
      } else {
        logits = fullLogits(decoder, active);
      }
    }
    while (active.length > 0 && logits) {
      request.signal?.throwIfAborted();
      const entropies = request.returnEntropy ? readEntropies(logits, temperature) : undefined;
      const host = logits.dataSync() as Float32Array;
      logits.dispose();
      logits = undefined;
      const finished: number[] = [];
      active.forEach((row, i) => {
        const s = sampleLogits(host.subarray(i * vocab, (i + 1) * vocab), sampling, row.rng, topLogprobs);
        row.generated.push(s.token);
        row.logprobs.push(s.logprob);
        if (entropies) row.entropies.push(entropies[i]!);
        if (s.top) row.top.push(s.top);
        const stopString = stop?.check(row.generated);
        if (ctx.eosTokenIds.has(s.token)) row.finish = 'eos';
        else if (stopString !== undefined) {
          row.finish = 'stop';
          row.stopString = stopString;
        } else if (row.generated.length >= row.maxNew || row.prefix.length + row.generated.length > maxPositions) {
          row.finish = 'length';
        }
        if (row.finish) finished.push(i);
      });
      if (finished.length > 0) {
        if (cache) persistRows(ctx, cache, active, finished);
        const keep = active.map((_, i) => i).filter((i) => !finished.includes(i));
        if (cache) cache = compact(cache, keep);
        active = keep.map((i) => active[i]!);
      }
      if (active.length === 0) break;
      if (ctx.useCache && cache) {
        const next = decodeStep(decoder, cache, active);
        cache = next.cache;
        logits = next.logits;
      } else {
        logits = fullLogits(decoder, active);
      }
      st.steps++;
    }
  } finally {
    logits?.dispose();
    if (cache) disposeLayers(cache.layers);
  }
  return rows.map((r) => {
    const g: Generation = { tokens: r.generated, logprobs: r.logprobs, finishReason: r.finish ?? 'length' };
    if (request.returnEntropy) g.entropies = r.entropies;
    if (topLogprobs > 0) g.topLogprobs = r.top;
    if (r.stopString !== undefined) g.stopString = r.stopString;
    return g;
  });
}

/**
 * One RNG stream per row: the parent is split in row order (`row:0`, `row:1`, …), and a row whose index in the
 * original request is j gets the j-th split, so a part of a request (with `rowIndices`) samples as the whole.
 */
function rowStreams(rng: Rng, indices: readonly number[], count: number): Rng[] {
  if (indices.length !== count) throw new ArpoError(`generate: rowIndices has ${indices.length} entries (expected ${count}, one per prefix)`);
  const wanted = new Map<number, number>();
  indices.forEach((j, r) => {
    if (!Number.isInteger(j) || j < 0) throw new ArpoError(`generate: rowIndices[${r}] = ${j} (expected an integer >= 0)`);
    if (wanted.has(j)) throw new ArpoError(`generate: rowIndices[${r}] = ${j} repeats rowIndices[${wanted.get(j)}] (expected distinct indices)`);
    wanted.set(j, r);
  });
  const out = new Array<Rng>(count);
  const last = Math.max(-1, ...indices);
  for (let j = 0; j <= last; j++) {
    const stream = rng.split(`row:${j}`);
    const r = wanted.get(j);
    if (r !== undefined) out[r] = stream;
  }
  return out;
}

function validate(request: GenerateRequest, vocab: number, maxPositions: number): Omit<Row, 'rng'>[] {
  const { prefixes, sequenceIds, maxNewTokens } = request;
  if (sequenceIds && sequenceIds.length !== prefixes.length) {
    throw new ArpoError(`generate: sequenceIds has ${sequenceIds.length} entries (expected ${prefixes.length}, one per prefix)`);
  }
  if (sequenceIds && new Set(sequenceIds).size !== sequenceIds.length) {
    throw new ArpoError('generate: sequenceIds contains duplicates (expected one entry per sequence)');
  }
  if (typeof maxNewTokens !== 'number' && maxNewTokens.length !== prefixes.length) {
    throw new ArpoError(`generate: maxNewTokens has ${maxNewTokens.length} entries (expected ${prefixes.length}, or one number)`);
  }
  const { temperature, topP, topK } = request.sampling;
  if (!(temperature >= 0)) throw new ArpoError(`generate: sampling.temperature = ${temperature} (expected >= 0)`);
  if (!(topP > 0 && topP <= 1)) throw new ArpoError(`generate: sampling.topP = ${topP} (expected a number in (0, 1])`);
  if (!Number.isInteger(topK) || topK < 0) throw new ArpoError(`generate: sampling.topK = ${topK} (expected an integer >= 0)`);
  return prefixes.map((prefix, index) => {
    const maxNew = typeof maxNewTokens === 'number' ? maxNewTokens : maxNewTokens[index]!;
    if (!Number.isInteger(maxNew) || maxNew < 0) throw new ArpoError(`generate: maxNewTokens[${index}] = ${maxNew} (expected an integer >= 0)`);
    if (prefix.length === 0) throw new ArpoError(`generate: prefixes[${index}] is empty (expected at least one token)`);
    if (prefix.length > maxPositions) {
      throw new ArpoError(`generate: prefixes[${index}] has ${prefix.length} tokens (expected <= max_position_embeddings = ${maxPositions})`);
    }
    for (const id of prefix) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new ArpoError(`generate: prefixes[${index}] contains token id ${id} (expected an integer in [0, ${vocab}))`);
      }
    }
    return { index, id: sequenceIds?.[index], prefix, maxNew, generated: [], logprobs: [], entropies: [], top: [] };
  });
}

function readEntropies(logits: tf.Tensor2D, temperature: number): Float32Array {
  const h = tokenEntropies(logits, { temperature }); // checks finiteness (one small read)
  const values = h.dataSync() as Float32Array;
  h.dispose();
  return values;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Prefill: per group of rows with equal (cached, new) lengths, one forward over the new tokens. */
function prefill(ctx: GenerateContext, rows: Row[], st: GenerateStats): { cache: BatchCache; logits: tf.Tensor2D } {
  const { decoder } = ctx;
  const d = decoder.dims;
  const plans = rows.map((row) => {
    const entry: CacheEntry | undefined = row.id !== undefined ? ctx.store?.get(row.id) : undefined;
    const reuse = entry ? Math.min(commonPrefix(entry.tokens, row.prefix), row.prefix.length - 1) : 0;
    return { entry: reuse > 0 ? entry : undefined, reuse };
  });
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const key = `${plans[i]!.reuse}:${row.prefix.length - plans[i]!.reuse}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const rowLayers: LayerKv[][] = new Array(rows.length);
  const rowLogits: tf.Tensor1D[] = new Array(rows.length);
  try {
    for (const members of groups.values()) {
      const m = plans[members[0]!]!.reuse;
      const n = rows[members[0]!]!.prefix.length - m;
      const bg = members.length;
      st.prefillTokens += bg * n;
      st.reusedTokens += bg * m;
      const out = tf.tidy(() => {
        const ids = new Int32Array(bg * n);
        members.forEach((ri, j) => ids.set(rows[ri]!.prefix.slice(m), j * n));
        const past =
          m > 0
            ? layerIndices(d.layers).map((l) => {
                const parts = members.map((ri) => plans[ri]!.entry!.layers[l]!);
                const cut = (t: tf.Tensor4D): tf.Tensor4D => (t.shape[2] === m ? t : tf.slice(t, [0, 0, 0, 0], [1, d.kvHeads, m, d.headDim]));
                return {
                  k: parts.length === 1 ? cut(parts[0]!.k) : tf.concat(parts.map((p) => cut(p.k)), 0),
                  v: parts.length === 1 ? cut(parts[0]!.v) : tf.concat(parts.map((p) => cut(p.v)), 0),
                };
              })
            : undefined;
        let bias: tf.Tensor4D | undefined; // causal among the n new tokens (none needed for one token)
        if (n > 1) {
          const values = new Float32Array(d.groups * n * (m + n));
          for (let g = 0; g < d.groups; g++) {
            for (let i = 0; i < n; i++) for (let j = m + i + 1; j < m + n; j++) values[(g * n + i) * (m + n) + j] = MASKED;
          }
          bias = tf.tensor4d(values, [1, 1, d.groups * n, m + n]);
        }
        const r = decoder.hiddenCached(ids, bg, n, decoder.rope.range(m, n), bias, past);
        const lastRows = tf.tensor1d(Int32Array.from(members, (_, j) => j * n + n - 1), 'int32');
        const logits = decoder.logits(n === 1 ? r.hidden : (tf.gather(r.hidden, lastRows) as tf.Tensor2D), true);
        if (groups.size === 1) return { whole: { layers: r.caches, logits }, perRow: undefined }; // one group: already the batch
        const perRow = members.map((_, j) => ({
          logits: tf.squeeze(tf.slice(logits, [j, 0], [1, d.vocab]), [0]) as tf.Tensor1D,
          layers: r.caches.map((c) => ({
            k: bg === 1 ? c.k : (tf.slice(c.k, [j, 0, 0, 0], [1, d.kvHeads, m + n, d.headDim]) as tf.Tensor4D),
            v: bg === 1 ? c.v : (tf.slice(c.v, [j, 0, 0, 0], [1, d.kvHeads, m + n, d.headDim]) as tf.Tensor4D),
          })),
        }));
        return { whole: undefined, perRow };
      });
      if (out.whole) {
        const len = rows[0]!.prefix.length;
        return { cache: { layers: out.whole.layers, pads: rows.map(() => 0), s: len }, logits: out.whole.logits };
      }
      members.forEach((ri, j) => {
        rowLogits[ri] = out.perRow![j]!.logits;
        rowLayers[ri] = out.perRow![j]!.layers;
      });
    }
    // Left-pad every row to the longest and stack: [B, Hkv, S, d] per layer.
    const lens = rows.map((r) => r.prefix.length);
    const s = Math.max(...lens);
    const pads = lens.map((len) => s - len);
    const result = tf.tidy(() => {
      const layers = layerIndices(d.layers).map((l) => {
        const stack = (pick: (kv: LayerKv) => tf.Tensor4D): tf.Tensor4D => {
          const parts = rows.map((_, i) => {
            const t = pick(rowLayers[i]![l]!);
            return pads[i]! > 0 ? tf.pad(t, [[0, 0], [0, 0], [pads[i]!, 0], [0, 0]]) : t;
          });
          return parts.length === 1 ? tf.clone(parts[0]!) : tf.concat(parts, 0);
        };
        return { k: stack((kv) => kv.k), v: stack((kv) => kv.v) };
      });
      return { layers, logits: tf.stack(rowLogits) as tf.Tensor2D };
    });
    return { cache: { layers: result.layers, pads, s }, logits: result.logits };
  } finally {
    for (const t of rowLogits) t?.dispose();
    for (const layers of rowLayers) if (layers) disposeLayers(layers);
  }
}

/** One decode step: feed each active row's last sampled token. */
function decodeStep(decoder: Decoder, cache: BatchCache, rows: Row[]): { cache: BatchCache; logits: tf.Tensor2D } {
  const b = rows.length;
  const s = cache.s;
  const positions = Int32Array.from(rows, (r) => r.prefix.length + r.generated.length - 1);
  const ids = Int32Array.from(rows, (r) => r.generated[r.generated.length - 1]!);
  const padded = cache.pads.some((pad) => pad > 0);
  const out = tf.tidy(() => {
    let bias: tf.Tensor4D | undefined; // masks each row's left padding
    if (padded) {
      const values = new Float32Array(b * (s + 1));
      cache.pads.forEach((pad, i) => values.fill(MASKED, i * (s + 1), i * (s + 1) + pad));
      bias = tf.tensor4d(values, [b, 1, 1, s + 1]);
    }
    const r = decoder.hiddenCached(ids, b, 1, { matrices: decoder.rope.matrices(positions) }, bias, cache.layers);
    return { logits: decoder.logits(r.hidden, true), layers: r.caches };
  });
  disposeLayers(cache.layers);
  return { cache: { layers: out.layers, pads: cache.pads, s: s + 1 }, logits: out.logits };
}

/** Uncached reference path: recompute every active row's whole sequence, right-padded, per step. */
function fullLogits(decoder: Decoder, rows: Row[]): tf.Tensor2D {
  // Without a cache the last sampled token is simply part of the input.
  const seqs = rows.map((r) => [...r.prefix, ...r.generated]);
  const t = Math.max(...seqs.map((q) => q.length));
  const ids = new Int32Array(rows.length * t);
  seqs.forEach((q, i) => ids.set(q, i * t));
  return tf.tidy(() => {
    const hidden = decoder.hiddenFull(ids, rows.length, t, true);
    const last = tf.tensor1d(Int32Array.from(seqs, (q, i) => i * t + q.length - 1), 'int32');
    return decoder.logits(tf.gather(hidden, last) as tf.Tensor2D, true);
  });
}

/** Stores the caches of finished rows that have a sequence id (all their tokens except the last sampled one). */
function persistRows(ctx: GenerateContext, cache: BatchCache, rows: Row[], finished: number[]): void {
  const d = ctx.decoder.dims;
  for (const i of finished) {
    const row = rows[i]!;
    if (row.id === undefined || !ctx.store) continue;
    const pad = cache.pads[i]!;
    const len = cache.s - pad;
    const layers = tf.tidy(() =>
      cache.layers.map((l) => ({
        k: tf.slice(l.k, [i, 0, pad, 0], [1, d.kvHeads, len, d.headDim]) as tf.Tensor4D,
        v: tf.slice(l.v, [i, 0, pad, 0], [1, d.kvHeads, len, d.headDim]) as tf.Tensor4D,
      })),
    );
    ctx.store.set(row.id, { tokens: [...row.prefix, ...row.generated.slice(0, -1)], layers });
  }
}

/** Keeps rows `keep` of the batch cache and drops columns that are padding for every remaining row. */
function compact(cache: BatchCache, keep: number[]): BatchCache | undefined {
  if (keep.length === 0) {
    disposeLayers(cache.layers);
    return undefined;
  }
  const pads = keep.map((i) => cache.pads[i]!);
  const drop = Math.min(...pads);
  const s = cache.s - drop;
  const layers = tf.tidy(() => {
    const idx = tf.tensor1d(Int32Array.from(keep), 'int32');
    const shrink = (t: tf.Tensor4D): tf.Tensor4D => {
      const g = tf.gather(t, idx, 0) as tf.Tensor4D;
      return drop > 0 ? (tf.slice(g, [0, 0, drop, 0], [keep.length, g.shape[1], s, g.shape[3]]) as tf.Tensor4D) : g;
    };
    return cache.layers.map((l) => ({ k: shrink(l.k), v: shrink(l.v) }));
  });
  disposeLayers(cache.layers);
  return { layers, pads: pads.map((p) => p - drop), s };
}

function layerIndices(n: number): number[] {
  return Array.from({ length: n }, (_, l) => l);
}

function disposeLayers(layers: readonly LayerKv[]): void {
  for (const l of layers) {
    l.k.dispose();
    l.v.dispose();
  }
}
