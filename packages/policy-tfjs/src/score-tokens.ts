import * as tf from '@tensorflow/tfjs';
import { ArpoError, type ScoreRequest, type TokenScores } from '@arpo/core';
import type { Decoder } from './decoder.js';
import { headLogprobEntropy } from './custom-ops.js';
import { gatherRows } from './gather-rows.js';

/** Options of {@link scoreSequences}. */
export interface ScoreOptions {
  /** Also return per-position entropies. */
  withEntropy?: boolean;
  /** Logits are divided by this before the softmax (the reference scores at its rollout temperature). Default 1. */
  temperature?: number;
}

/**
 * Differentiable log πθ(response token | prefix) (and entropies) for a batch of (prompt, response)
 * pairs: one causal forward pass over the right-padded `[B, T]` batch, the hidden states of the response
 * positions gathered (so the LM head and softmax run only where needed), then scattered into
 * `[B, maxResponseLength]` right-padded with 0. Call inside `tf.tidy` or a gradient scope.
 */
export function scoreSequences(decoder: Decoder, request: ScoreRequest, options: ScoreOptions = {}): TokenScores<tf.Tensor2D> {
  const { vocab, maxPositions } = decoder.dims;
  const seqs = request.sequences;
  const b = seqs.length;
  if (b === 0) throw new ArpoError('scoreTokens: sequences is empty (expected at least one sequence)');
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) throw new ArpoError(`scoreTokens: temperature = ${temperature} (expected > 0)`);
  let tIn = 1;
  let rMax = 0;
  let nTok = 0;
  seqs.forEach((s, i) => {
    if (s.promptTokens.length === 0) {
      throw new ArpoError(`scoreTokens: sequences[${i}].promptTokens is empty (expected at least one token, e.g. BOS, to condition the first response token)`);
    }
    const len = s.promptTokens.length + s.responseTokens.length;
    if (len - 1 > maxPositions) {
      // The last token is only predicted, never fed: len − 1 positions run through the model.
      throw new ArpoError(`scoreTokens: sequences[${i}] has ${len} tokens (expected <= max_position_embeddings + 1 = ${maxPositions + 1})`);
    }
    for (const part of [s.promptTokens, s.responseTokens]) {
      for (const id of part) {
        if (!Number.isInteger(id) || id < 0 || id >= vocab) {
          throw new ArpoError(`scoreTokens: sequences[${i}] contains token id ${id} (expected an integer in [0, ${vocab}))`);
        }
      }
    }
    tIn = Math.max(tIn, len - 1);
    rMax = Math.max(rMax, s.responseTokens.length);
    nTok += s.responseTokens.length;
  });
  if (rMax === 0) {
    const zeros = tf.zeros([b, 0]) as tf.Tensor2D;
    return options.withEntropy ? { logprobs: zeros, entropies: tf.zeros([b, 0]) as tf.Tensor2D } : { logprobs: zeros };
  }
  const ids = new Int32Array(b * tIn);
  const rows = new Int32Array(nTok);
  const targets = new Int32Array(nTok);
  const padded = new Int32Array(b * rMax).fill(nTok); // index nTok = the appended zero
  let k = 0;
  seqs.forEach((s, i) => {
    const full = [...s.promptTokens, ...s.responseTokens];
    for (let t = 0; t < full.length - 1; t++) ids[i * tIn + t] = full[t]!;
    const p = s.promptTokens.length;
    s.responseTokens.forEach((tok, j) => {
      rows[k] = i * tIn + p - 1 + j; // logits at position p−1+j predict response token j
      targets[k] = tok;
      padded[i * rMax + j] = k;
      k++;
    });
  });
  const hidden = gatherRows(decoder.hiddenFull(ids, b, tIn), rows);
  // [n, 2]: ln p(target), entropy; the [n, V] softmax never outlives this call (see headLogprobEntropy).
  const both = headLogprobEntropy(hidden, decoder.headWeight(false), targets, temperature);
  const pad = (column: number): tf.Tensor2D => {
    const values = tf.slice(both, [0, column], [nTok, 1]).reshape([nTok]);
    return gatherRows(tf.concat([values, tf.zeros([1])]), padded).reshape([b, rMax]) as tf.Tensor2D;
  };
  const logprobs = pad(0);
  return options.withEntropy ? { logprobs, entropies: pad(1) } : { logprobs };
}
