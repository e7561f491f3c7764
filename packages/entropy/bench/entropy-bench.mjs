// Entropy throughput benchmark: `npm run bench -w @arpo/entropy` (builds first when run through nx).
// Baseline: a plain single-pass JS loop over a Float32Array. Imports the built package; tfjs and the wasm backend are devDependencies of @arpo/entropy.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { tokenEntropy } from '../dist/index.js';
import { tokenEntropies } from '../dist/tfjs.js';

const REPEATS = 7;
const MIN_SAMPLE_MS = 150;
const CASES = [
  { vocab: 32000, positions: 64 },
  { vocab: 152064, positions: 16 },
];

/** Logits in [-10, 10) from an LCG (same fixture as the tests). */
function lcgLogits(n, seed) {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let j = 0; j < n; j++) {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    out[j] = (x / 2 ** 32) * 20 - 10;
  }
  return out;
}

/**
 * Baseline: the textbook two-pass loop. Pass 1: Z = Σ e^{z}; pass 2: H = −Σ p ln p with p = e^{z} / Z
 * (two exp and one log per element, no max shift: only valid for small logits like these).
 */
function naiveEntropy(z) {
  let sum = 0;
  for (let j = 0; j < z.length; j++) sum += Math.exp(z[j]);
  let h = 0;
  for (let j = 0; j < z.length; j++) {
    const p = Math.exp(z[j]) / sum;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/**
 * Baseline: a plain single-pass loop over the Float32Array (online max with rescaling, one exp per element):
 * keeps m = running max, Z = Σ e^{z−m}, A = Σ (z−m)·e^{z−m}; a new max m' rescales by c = e^{m−m'}:
 * Z ← c·Z, A ← c·(A − (m'−m)·Z). H = ln Z − A/Z.
 */
function singlePassEntropy(z) {
  let m = -Infinity;
  let Z = 0;
  let A = 0;
  for (let j = 0; j < z.length; j++) {
    const x = z[j];
    if (x > m) {
      if (Z > 0) {
        const c = Math.exp(m - x);
        A = c * (A - (x - m) * Z);
        Z = c * Z;
      }
      m = x;
      Z += 1;
    } else {
      const d = x - m;
      const e = Math.exp(d);
      Z += e;
      A += d * e;
    }
  }
  return Math.log(Z) - A / Z;
}

/** Median positions/s of `batch()` (which processes `positions` positions), over REPEATS samples. */
function measure(batch, positions) {
  for (let i = 0; i < 2; i++) batch(); // warm-up
  const rates = [];
  for (let r = 0; r < REPEATS; r++) {
    let iters = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      batch();
      iters++;
      elapsed = performance.now() - t0;
    } while (elapsed < MIN_SAMPLE_MS);
    rates.push((iters * positions) / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

let backend = 'wasm';
try {
  if (!(await tf.setBackend('wasm'))) throw new Error('setBackend returned false');
} catch (error) {
  backend = 'cpu';
  console.warn(`wasm backend failed (${error.message}); using cpu`);
  await tf.setBackend('cpu');
}
await tf.ready();

const started = performance.now();
console.log(`@arpo/entropy bench — Node ${process.version}, tfjs ${tf.version.tfjs} backend ${backend}; median of ${REPEATS} samples ≥ ${MIN_SAMPLE_MS} ms`);
for (const { vocab, positions } of CASES) {
  const flat = lcgLogits(vocab * positions, vocab);
  const rows = Array.from({ length: positions }, (_, i) => flat.subarray(i * vocab, (i + 1) * vocab));
  let sink = 0;
  const single = measure(() => {
    for (const row of rows) sink += singlePassEntropy(row);
  }, positions);
  const naive = measure(() => {
    for (const row of rows) sink += naiveEntropy(row);
  }, positions);
  const array = measure(() => {
    for (const row of rows) sink += tokenEntropy(row);
  }, positions);
  const x = tf.tensor2d(flat, [positions, vocab]);
  const tensor = measure(() => {
    const h = tokenEntropies(x);
    sink += h.dataSync()[0];
    h.dispose();
  }, positions);
  x.dispose();
  const tensorWithCreation = measure(() => {
    const t = tf.tensor2d(flat, [positions, vocab]);
    const h = tokenEntropies(t);
    sink += h.dataSync()[0];
    tf.dispose([t, h]);
  }, positions);
  // Agreement check on row 0 (the bench must measure correct code).
  const check = tokenEntropies(tf.tensor2d(rows[0], [1, vocab])).dataSync()[0];
  const ref = naiveEntropy(rows[0]);
  const rel = Math.max(Math.abs(tokenEntropy(rows[0]) - ref), Math.abs(check - ref), Math.abs(singlePassEntropy(rows[0]) - ref)) / ref;
  if (!(rel < 1e-4) || !Number.isFinite(sink)) throw new Error(`results disagree: relative error ${rel}`);

  console.log(`\nV = ${vocab} (${positions} positions per call; max relative difference vs baseline ${rel.toExponential(1)})`);
  const rowsOut = [
    ['plain single-pass JS loop (baseline)', single],
    ['textbook two-pass loop (2 exp + 1 log per element)', naive],
    ['tokenEntropy (array, float64)', array],
    [`tokenEntropies (${backend}, incl. dataSync)`, tensor],
    [`tokenEntropies (${backend}, incl. tensor2d creation)`, tensorWithCreation],
  ];
  for (const [name, rate] of rowsOut) {
    console.log(`  ${name.padEnd(48)} ${rate.toFixed(0).padStart(9)} positions/s  ${(rate / single).toFixed(2)}× baseline`);
  }
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
