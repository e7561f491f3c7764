#!/usr/bin/env node
// @arpo/optimizer benchmark (issue 6): one RL update over 16 prompts × 8 trajectories of 256 tokens
// (32 prompt + 224 response tokens, 32 of them a masked tool result) on the standard tiny and small configs
// of @arpo/policy-tfjs, wasm backend: tokens/s and the time split (old log-probs, forward + backward,
// optimizer step). Reference settings otherwise (AdamW, clip 1.0, token-mean, recompute, one mini-batch of
// 16 prompts = one optimizer step), micro-batches of 16 sequences (8 per update).
// With --workers 1,2 each config runs once per lane count (PolicyOptimizer `workers`: the main thread plus
// worker threads with policy replicas) and the speed-up over 1 is printed.
// usage: npm run bench -w @arpo/optimizer [-- --configs tiny,small --micro 16 --workers 1,2]
// Writes bench/results/latest.json.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, load, loadAverages } from './bench-cli.mjs';
import { createRng } from '@arpo/core';
import { STANDARD_CONFIGS, TfjsPolicy } from '@arpo/policy-tfjs';
import { PolicyOptimizer } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const configs = arg('configs', 'tiny,small').split(',');
const PROMPTS = 16;
const PER_PROMPT = 8;
const PROMPT_LEN = 32;
const RESPONSE_LEN = 224; // 32 + 224 = 256 tokens per trajectory
const TOOL = [96, 128]; // response positions of a "tool result" (loss mask 0)
const micro = Number(arg('micro', '16'));
const workerCounts = arg('workers', '1').split(',').map(Number);
const log = (...a) => console.log(...a);

/** A bare tokenizer covering the model's vocabulary (the benchmark never decodes). */
const tokenizer = (vocabSize) => ({
  specificationVersion: 'v1',
  vocabSize,
  padTokenId: 0,
  bosTokenId: 1,
  eosTokenId: 2,
  encode: () => [],
  decode: (ids) => ids.join(' '),
});

function batch(vocab, prompts, perPrompt, seed) {
  const rng = createRng(seed);
  const out = [];
  for (let p = 0; p < prompts; p++) {
    const promptTokens = [1, ...Array.from({ length: PROMPT_LEN - 1 }, () => 3 + rng.int(vocab - 3))];
    for (let j = 0; j < perPrompt; j++) {
      const responseTokens = Array.from({ length: RESPONSE_LEN }, () => 3 + rng.int(vocab - 3));
      const lossMask = responseTokens.map((_, t) => (t >= TOOL[0] && t < TOOL[1] ? 0 : 1));
      const a = rng.normal();
      out.push({ id: `p${p}-${j}`, promptId: `p${p}`, promptTokens, responseTokens, lossMask, advantages: lossMask.map((m) => m * a) });
    }
  }
  return out;
}

let peakHeap = 0;
const results = [];
const t0 = performance.now();
log(`@arpo/optimizer bench: ${PROMPTS} prompts × ${PER_PROMPT} trajectories × ${PROMPT_LEN + RESPONSE_LEN} tokens, micro-batches of ${micro}; load average at start: ${load()}`);
for (const name of configs) for (const workers of workerCounts) {
  const config = STANDARD_CONFIGS[name];
  const policy = await TfjsPolicy.create(config, { tokenizer: tokenizer(config.vocab_size), seed: 1, backend: 'wasm', log: () => {} });
  const opt = new PolicyOptimizer(policy, { workers, optimizer: { miniBatchSize: PROMPTS, microBatchSize: micro } });
  // Warm-up on sequences of the same length, a micro-batch per lane: kernels and the per-length tables of every replica.
  await opt.update(batch(config.vocab_size, 1, Math.max(2, micro * workers), 7));
  const samples = batch(config.vocab_size, PROMPTS, PER_PROMPT, 42);
  const m = await opt.update(samples);
  const wasm = tf.backend().wasm;
  if (wasm) peakHeap = Math.max(peakHeap, wasm.HEAPU8.length);
  const t = m.timings;
  const seqTokens = samples.length * (PROMPT_LEN + RESPONSE_LEN);
  const r = {
    config: name,
    workers,
    params: policy.numParameters(),
    sequences: samples.length,
    tokens_per_sequence: PROMPT_LEN + RESPONSE_LEN,
    trained_tokens: m.tokens,
    micro_batches: m.microBatches,
    optimizer_steps: m.optimizerSteps,
    update_s: +(t.totalMs / 1000).toFixed(2),
    tokens_per_s: Math.round(seqTokens / (t.totalMs / 1000)),
    logprobs_ms: Math.round(t.logprobsMs),
    backward_ms: Math.round(t.backwardMs),
    optimizer_ms: Math.round(t.optimizerMs),
    grad_norm: +m.gradNorm.toFixed(4),
    loss: +m.loss.toFixed(5),
    load_average_after: loadAverages(),
  };
  results.push(r);
  const pct = (x) => `${((100 * x) / t.totalMs).toFixed(0)}%`;
  log(
    `${name.padEnd(5)} ${workers} lane(s) ${(r.params / 1e6).toFixed(2)}M params: update ${r.update_s} s, ${r.tokens_per_s} tokens/s (${seqTokens} tokens, ${m.tokens} trained) | ` +
      `log-probs ${r.logprobs_ms} ms (${pct(t.logprobsMs)}), forward+backward ${r.backward_ms} ms (${pct(t.backwardMs)}), optimizer step ${r.optimizer_ms} ms (${pct(t.optimizerMs)}) | load ${load()}`,
  );
  opt.dispose();
  policy.dispose();
}
for (const r of results) {
  const base = results.find((x) => x.config === r.config && x.workers === 1);
  if (base && r.workers !== 1) {
    r.speedup = +(r.tokens_per_s / base.tokens_per_s).toFixed(2);
    log(`${r.config}: ${r.workers} lanes ${r.speedup}x the 1-lane update (${r.tokens_per_s} vs ${base.tokens_per_s} tokens/s)`);
  }
}
const summary = {
  backend: tf.getBackend(),
  node: process.version,
  peak_wasm_heap_mib: Math.round(peakHeap / 2 ** 20),
  wall_s: +((performance.now() - t0) / 1000).toFixed(1),
  load_average_end: loadAverages(),
  results,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
log(`peak wasm heap ${summary.peak_wasm_heap_mib} MiB; wall ${summary.wall_s} s; load average at end: ${load()}`);
