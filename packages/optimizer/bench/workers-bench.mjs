#!/usr/bin/env node
// Worker-parallel training and sampling (issue 14): for 1, 2, … lanes (PolicyOptimizer `workers`; ReplicaPool
// lane policies), on the standard configs of @arpo/policy-tfjs, wasm backend:
// - training: one SFT step (masked NLL, forward + backward, AdamW) over 16 sequences × 256 tokens, micro-batches
//   of --micro (default 4) sequences spread over the lanes; median of --steps steps after a warm-up step;
// - KV-cache sampling: 16 prompts of 16 tokens per lane, 128 new tokens each (T = 1, entropies on), in one generate
//   call spread over this thread and W − 1 replica workers by `createParallelPolicy` (how the trainer's rollouts
//   run; the tokens are those of one thread). `sample_kv_split_tokens_per_s`: one batch of 16 split over the lanes
//   instead (a decode step costs nearly the same for 8 rows as for 16, so this gains little).
// Then the PyTorch peer (../../policy-tfjs/bench/torch_peer.py, same shapes) on as many threads, when
// /usr/bin/python3 imports torch, and the ratios. Writes bench/results/workers.json.
// usage: npm run bench:workers -w @arpo/optimizer [-- --configs tiny --workers 1,2 --steps 5 --micro 4]
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, load, loadAverages } from './bench-cli.mjs';
import { createRng } from '@arpo/core';
import { BuiltinTokenizer, STANDARD_CONFIGS, TfjsPolicy } from '@arpo/policy-tfjs';
import { PolicyOptimizer, ReplicaPool, createParallelPolicy } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const configs = arg('configs', 'tiny').split(',');
const workerCounts = arg('workers', '1,2').split(',').map(Number);
const steps = Number(arg('steps', '5'));
const micro = Number(arg('micro', '4'));
const BATCH = 16;
const SEQ = 256;
const PROMPT = 16;
const NEW = 128;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const log = (...a) => console.log(...a);

async function trainTokensPerS(config, workers) {
  const policy = await TfjsPolicy.create(config, { tokenizer: BuiltinTokenizer.fromWords([]), seed: 1, backend: 'wasm', log: () => {} });
  const rng = createRng(7);
  const V = config.vocab_size;
  const samples = Array.from({ length: BATCH }, () => {
    const responseTokens = Array.from({ length: SEQ - 1 }, () => rng.int(V));
    return { promptTokens: [rng.int(V)], responseTokens, lossMask: responseTokens.map(() => 1) };
  });
  const opt = new PolicyOptimizer(policy, { workers, optimizer: { learningRate: 1e-4, microBatchSize: micro } });
  await opt.sftStep(samples); // warm-up: kernels, per-length tables and the workers' replicas
  const times = [];
  for (let i = 0; i < steps; i++) {
    const m = await opt.sftStep(samples);
    times.push(m.timings.totalMs);
  }
  opt.dispose();
  policy.dispose();
  return { ms: median(times), all: times.map((t) => Math.round(t)), tokensPerS: Math.round((BATCH * SEQ) / (median(times) / 1000)) };
}

async function sampleTokensPerS(config, workers, split) {
  const policy = await TfjsPolicy.create(config, { tokenizer: BuiltinTokenizer.fromWords([]), seed: 1, backend: 'wasm', log: () => {} });
  const rng = createRng(3);
  const total = split ? BATCH : BATCH * workers;
  const prefixes = Array.from({ length: total }, () => Array.from({ length: PROMPT }, () => rng.int(config.vocab_size)));
  const request = (part, tag, maxNewTokens) => ({
    prefixes: part,
    sequenceIds: part.map((_, i) => `${tag}-${i}`),
    maxNewTokens,
    sampling: { temperature: 1, topP: 1, topK: 0 },
    seed: 3,
    returnEntropy: true,
  });
  const pool = workers > 1 ? await ReplicaPool.start({ policy, threads: workers - 1 }) : undefined;
  const sampler = pool ? createParallelPolicy(policy, pool) : policy;
  const run = async (tag, maxNew) => {
    await sampler.generate(request(prefixes, tag, maxNew));
    for (let i = 0; i < total; i++) await sampler.release?.(`${tag}-${i}`);
  };
  await run('warm', 4);
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run(`r${i}`, NEW);
    times.push(performance.now() - t0);
  }
  await pool?.dispose();
  policy.dispose();
  return { ms: median(times), tokensPerS: Math.round((total * NEW) / (median(times) / 1000)) };
}

const t0 = performance.now();
log(`@arpo/optimizer workers bench: SFT step ${BATCH} × ${SEQ} tokens (micro-batches of ${micro}), KV sampling ${BATCH} × ${NEW} new tokens; node ${process.version}; load average ${load()}`);
const results = [];
for (const name of configs) {
  const config = STANDARD_CONFIGS[name];
  for (const workers of workerCounts) {
    const train = await trainTokensPerS(config, workers);
    const sample = await sampleTokensPerS(config, workers, false);
    const split = workers > 1 ? await sampleTokensPerS(config, workers, true) : sample;
    const r = {
      config: name,
      workers,
      train_tokens_per_s: train.tokensPerS,
      train_step_ms: Math.round(train.ms),
      train_step_ms_all: train.all,
      sample_kv_tokens_per_s: sample.tokensPerS,
      sample_ms: Math.round(sample.ms),
      sample_kv_split_tokens_per_s: split.tokensPerS,
      load_average: loadAverages(),
    };
    results.push(r);
    log(JSON.stringify(r));
  }
}
for (const r of results) {
  const base = results.find((x) => x.config === r.config && x.workers === 1);
  if (base && r !== base) {
    r.train_speedup = +(r.train_tokens_per_s / base.train_tokens_per_s).toFixed(2);
    r.sample_kv_speedup = +(r.sample_kv_tokens_per_s / base.sample_kv_tokens_per_s).toFixed(2);
  }
}
let torch = [];
const peer = join(here, '..', '..', 'policy-tfjs', 'bench', 'torch_peer.py'); // the same shapes, in the monorepo
try {
  execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  if (existsSync(peer)) {
    log('\n# PyTorch peer (policy-tfjs/bench/torch_peer.py)');
    const out = execFileSync('/usr/bin/python3', [peer, '--configs', configs.join(','), '--threads', workerCounts.join(','), '--steps', String(steps)], { encoding: 'utf8' });
    torch = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    for (const t of torch) log(JSON.stringify(t));
  }
} catch {
  log('\n# PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch libopenblas0-openmp)');
}
for (const r of results) {
  const t = torch.find((x) => x.config === r.config && x.threads === r.workers);
  if (t) {
    r.torch_threads = t.threads;
    r.train_vs_torch = +(r.train_tokens_per_s / t.train_tokens_per_s).toFixed(2);
    r.sample_kv_vs_torch = +(r.sample_kv_tokens_per_s / t.sample_kv_tokens_per_s).toFixed(2);
  }
}
log('\n| config | lanes | train tok/s | speed-up | vs PyTorch (same threads) | KV sample tok/s (16 per lane) | speed-up | vs PyTorch | one batch of 16 split |');
log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const t = torch.find((x) => x.config === r.config && x.threads === r.workers);
  log(
    `| ${r.config} | ${r.workers} | ${r.train_tokens_per_s} | ${r.train_speedup ?? 1}x | ${r.train_vs_torch ?? '–'}${t ? ` (${t.train_tokens_per_s})` : ''} | ` +
      `${r.sample_kv_tokens_per_s} | ${r.sample_kv_speedup ?? 1}x | ${r.sample_kv_vs_torch ?? '–'}${t ? ` (${t.sample_kv_tokens_per_s})` : ''} | ${r.sample_kv_split_tokens_per_s} |`,
  );
}
const summary = { backend: tf.getBackend(), node: process.version, wall_s: +((performance.now() - t0) / 1000).toFixed(1), load_average_end: loadAverages(), results, torch };
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'workers.json'), `${JSON.stringify(summary, null, 2)}\n`);
log(`wall ${summary.wall_s} s; load average at end: ${load()}`);
