#!/usr/bin/env node
// @arpo/policy-tfjs benchmark: train step (forward + backward + Adam), matmul share and GFLOP/s vs bare
// tf.matMul of the same shapes, sampling with / without KV cache, peak memory. Standard configs of issue 4.
// usage: npm run bench -w @arpo/policy-tfjs [-- --configs tiny,small --steps 3 --nocache-tokens 32]
// Writes bench/results/latest.json; then runs bench/torch_peer.py with /usr/bin/python3 when torch imports.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@arpo/core';
import { BuiltinTokenizer, STANDARD_CONFIGS, TfjsPolicy } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const configs = arg('configs', 'tiny,small').split(',');
const steps = Number(arg('steps', '3'));
const batch = 16;
const seqLen = Number(arg('seq', '256'));
const genTokens = 128;
const promptLen = 16;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const log = (...a) => console.log(...a);

let peakRss = 0;
let peakHeap = 0;
let peakTensorBytes = 0;
function sampleMemory() {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const wasm = tf.backend().wasm;
  if (wasm) peakHeap = Math.max(peakHeap, wasm.HEAPU8.length);
  peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
}

function matmulFlops(k) {
  const [a, b] = k.inputShapes;
  if (!a || !b || a.length !== 2 || b.length !== 2) return 0;
  return 2 * a[0] * a[1] * b[1];
}

/** Median ms of a bare tf.matMul(a, b) of one shape (b fixed, like a weight). */
function bareMatMulMs(m, k, n) {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const once = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  once();
  once();
  let reps = 1;
  const time = () => {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) once();
    return (performance.now() - t0) / reps;
  };
  while (time() * reps < 20 && reps < 512) reps *= 2;
  const ts = Array.from({ length: 5 }, time);
  a.dispose();
  b.dispose();
  return median(ts);
}

async function benchConfig(name) {
  const config = STANDARD_CONFIGS[name];
  const tokenizer = BuiltinTokenizer.fromWords([]);
  const policy = await TfjsPolicy.create(config, { tokenizer, seed: 1, log: () => {} });
  const rng = createRng(7);
  const V = config.vocab_size;
  const sequences = Array.from({ length: batch }, () => ({
    promptTokens: [rng.int(V)],
    responseTokens: Array.from({ length: seqLen }, () => rng.int(V)),
  }));
  const optimizer = tf.train.adam(1e-3);
  const vars = policy.trainableVariables();
  const step = () => {
    const loss = optimizer.minimize(() => tf.neg(tf.mean(policy.scoreTokens({ sequences }).logprobs)), true, vars);
    const v = loss.dataSync()[0];
    loss.dispose();
    sampleMemory();
    return v;
  };
  step(); // warm-up (creates Adam slots, packs weights)
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const stepMs = median(times);
  const tokens = batch * seqLen;
  // Kernel profile of one step: matmul share and achieved GFLOP/s vs bare tf.matMul of the same shapes.
  const p0 = performance.now();
  const prof = await tf.profile(() => {
    step();
  });
  const profiledStepMs = performance.now() - p0; // the share is taken within this same (profiled) step
  let mmMs = 0;
  let mmFlops = 0;
  const shapes = new Map();
  const byKernel = new Map();
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
    if (k.name !== 'BatchMatMul') continue;
    mmMs += ms;
    const f = matmulFlops(k);
    mmFlops += f;
    if (f > 0) {
      const key = `${k.inputShapes[0][0]}x${k.inputShapes[0][1]}x${k.inputShapes[1][1]}`;
      shapes.set(key, (shapes.get(key) ?? 0) + 1);
    }
  }
  let bareMs = 0;
  for (const [key, count] of shapes) {
    const [m, kk, n] = key.split('x').map(Number);
    bareMs += count * bareMatMulMs(m, kk, n);
  }
  const topKernels = [...byKernel.entries()]
    .filter(([n]) => n !== 'forward')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([n, ms]) => `${n} ${ms.toFixed(0)}`);
  optimizer.dispose();

  // Sampling: 16 sequences, 16-token prompts, 128 new tokens, temperature 1, entropy on.
  const prefixes = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(V)));
  const sample = async (p, n) => {
    const req = { prefixes, maxNewTokens: n, sampling: { temperature: 1, topP: 1, topK: 0 }, seed: 3, returnEntropy: true };
    await p.generate({ ...req, maxNewTokens: 2 }); // warm-up
    const t0 = performance.now();
    const out = await p.generate(req);
    const ms = performance.now() - t0;
    sampleMemory();
    return { tokPerS: (batch * n) / (ms / 1000), ms, tokens: out.map((g) => g.tokens) };
  };
  // Fresh (untrained) twins for sampling, so the cached and uncached runs see the same weights.
  policy.dispose();
  const cachedPolicy = await TfjsPolicy.create(config, { tokenizer, seed: 1, log: () => {} });
  const cached = await sample(cachedPolicy, genTokens);
  cachedPolicy.dispose();
  // Without a cache every step recomputes the whole prefix: 128 new tokens for tiny, 32 for small (time budget).
  const noCacheTokens = Number(arg('nocache-tokens', name === 'tiny' ? '128' : '32'));
  const uncachedPolicy = await TfjsPolicy.create(config, { tokenizer, seed: 1, kvCache: false, log: () => {} });
  const uncached = await sample(uncachedPolicy, noCacheTokens);
  const identical = uncached.tokens.filter((t, i) => t.join() === cached.tokens[i].slice(0, noCacheTokens).join()).length;
  uncachedPolicy.dispose();
  const result = {
    config: name,
    params: vars.reduce((a, v) => a + v.size, 0),
    batch,
    seq: seqLen,
    train_step_ms: +stepMs.toFixed(1),
    train_step_ms_all: times.map((t) => +t.toFixed(0)),
    train_tokens_per_s: Math.round((tokens / stepMs) * 1000),
    matmul_ms_per_step: +mmMs.toFixed(0),
    matmul_share: +(mmMs / profiledStepMs).toFixed(3),
    matmul_gflops: +(mmFlops / mmMs / 1e6).toFixed(1),
    bare_matmul_gflops_same_shapes: +(mmFlops / bareMs / 1e6).toFixed(1),
    matmul_gflop_per_step: +(mmFlops / 1e9).toFixed(2),
    top_kernels_ms: topKernels,
    sample_kv_tokens_per_s: Math.round(cached.tokPerS),
    sample_nocache_tokens_per_s: Math.round(uncached.tokPerS),
    sample_nocache_new_tokens: noCacheTokens,
    nocache_identical_sequences: `${identical}/${batch}`,
  };
  log(JSON.stringify(result));
  return result;
}

const t0 = performance.now();
log(`# @arpo/policy-tfjs bench, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const results = [];
for (const name of configs) results.push(await benchConfig(name));
sampleMemory();
const summary = {
  backend: tf.getBackend(),
  threads: 1,
  node: process.version,
  load_average_end: loadavg().map((x) => +x.toFixed(2)),
  peak_rss_mib: Math.round(peakRss / 2 ** 20),
  peak_wasm_heap_mib: Math.round(peakHeap / 2 ** 20),
  peak_tensor_mib: Math.round(peakTensorBytes / 2 ** 20),
  wall_s: +((performance.now() - t0) / 1000).toFixed(1),
  results,
};
log(JSON.stringify({ summary: { ...summary, results: undefined } }));
log('\n| config | train tok/s | step ms | matmul share | matmul GFLOP/s (bare same shapes) | sample tok/s KV | sample tok/s no cache |');
log('|---|---|---|---|---|---|---|');
for (const r of results) {
  log(`| ${r.config} | ${r.train_tokens_per_s} | ${r.train_step_ms} | ${(r.matmul_share * 100).toFixed(0)}% | ${r.matmul_gflops} (${r.bare_matmul_gflops_same_shapes}) | ${r.sample_kv_tokens_per_s} | ${r.sample_nocache_tokens_per_s} (${r.sample_nocache_new_tokens} new) |`);
}
log(`peak RSS ${summary.peak_rss_mib} MiB, wasm heap ${summary.peak_wasm_heap_mib} MiB, tensors ${summary.peak_tensor_mib} MiB`);
mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', 'latest.json');
writeFileSync(out, JSON.stringify(summary, null, 2));
try {
  execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  log('\n# PyTorch peer (bench/torch_peer.py, /usr/bin/python3)');
  execFileSync('/usr/bin/python3', [join(here, 'torch_peer.py'), '--ours', out, '--configs', configs.join(','), '--seq', String(seqLen)], { stdio: 'inherit' });
} catch {
  log('\n# PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch libopenblas0-openmp)');
}
