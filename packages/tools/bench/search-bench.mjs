// Search backends benchmark: builds a SQLite FTS5 index and a MiniSearch index from the same deterministic
// synthetic corpus (100,000 documents by default) and measures build time, index size, open time and query
// latency (p50 / p95 over 300 queries), plus known-item recall@10.
//
//   node bench/search-bench.mjs [--docs 100000] [--queries 300]
//
// Needs the built package (`npm run build`); ARPO_TOOLS_ENTRY=<path to an ESM entry> overrides ../dist/index.js.
// Nothing is downloaded: the corpus is generated from a seeded RNG into a temp directory that is removed after.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' } },
});
const DOCS = Number(values.docs);
const QUERIES = Number(values.queries);
const SEED = 20250725;

const entry = process.env.ARPO_TOOLS_ENTRY
  ? pathToFileURL(resolve(process.env.ARPO_TOOLS_ENTRY)).href
  : new URL('../dist/index.js', import.meta.url).href;
const { buildSqliteIndex, openSqliteIndex, buildMiniSearchIndex, openMiniSearchIndex } = await import(entry);

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A fixed vocabulary of 8,000 pronounceable words, built deterministically from syllables.
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'zu', 'ber', 'dan', 'fel', 'gor', 'hin', 'jas', 'kel',
  'lum', 'mor', 'nix', 'pra', 'qua', 'ros', 'sil', 'tam', 'ulm', 'ven', 'wis', 'yor', 'zen', 'ast', 'bri', 'cor'];
const vocabRandom = rng(SEED);
const vocabulary = [];
const seen = new Set();
while (vocabulary.length < 8000) {
  const parts = 2 + Math.floor(vocabRandom() * 2);
  let word = '';
  for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(vocabRandom() * SYLLABLES.length)];
  if (!seen.has(word)) {
    seen.add(word);
    vocabulary.push(word);
  }
}
// Zipf-ish word frequencies (exponent 1.05): cumulative weights for inverse-CDF sampling.
const cdf = new Float64Array(vocabulary.length);
let total = 0;
for (let i = 0; i < vocabulary.length; i++) cdf[i] = total += 1 / (i + 1) ** 1.05;
function zipfWord(random) {
  const x = random() * total;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo];
}
const words = (random, min, max) =>
  Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => zipfWord(random));

function document(i, random) {
  const title = words(random, 2, 4).join(' ');
  const body = words(random, 15, 40).join(' ');
  return { id: `doc${i}`, title: title[0].toUpperCase() + title.slice(1), text: `${body[0].toUpperCase()}${body.slice(1)}.` };
}

const dir = mkdtempSync(join(tmpdir(), 'arpo-search-bench-'));
try {
  // 1. Corpus (JSONL), streamed to disk.
  let t = performance.now();
  const corpusPath = join(dir, 'corpus.jsonl');
  const out = createWriteStream(corpusPath);
  const docRandom = rng(SEED + 1);
  const docs = [];
  for (let i = 0; i < DOCS; i++) {
    const doc = document(i, docRandom);
    docs.push(doc);
    if (!out.write(`${JSON.stringify(doc)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  console.log(
    `corpus: ${DOCS.toLocaleString('en-US')} docs, ${(statSync(corpusPath).size / 2 ** 20).toFixed(1)} MiB, ` +
      `vocabulary ${vocabulary.length.toLocaleString('en-US')} words (generated in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );

  // 2. Queries: 2–3 content words (not among the 100 most frequent, which act as stop words) drawn from a
  //    random document's title and body (known-item search).
  const stopWords = new Set(vocabulary.slice(0, 100));
  const queryRandom = rng(SEED + 2);
  const queries = [];
  while (queries.length < QUERIES) {
    const doc = docs[Math.floor(queryRandom() * docs.length)];
    const pool = `${doc.title} ${doc.text.slice(0, -1)}`
      .toLowerCase()
      .split(' ')
      .filter((word) => !stopWords.has(word));
    if (pool.length < 3) continue;
    const n = 2 + Math.floor(queryRandom() * 2);
    const picked = Array.from({ length: n }, () => pool[Math.floor(queryRandom() * pool.length)]);
    queries.push({ query: picked.join(' '), id: doc.id });
  }

  const rows = [];
  for (const [name, build, open, file] of [
    ['sqlite', buildSqliteIndex, openSqliteIndex, 'index.sqlite'],
    ['minisearch', buildMiniSearchIndex, openMiniSearchIndex, 'index.json'],
  ]) {
    globalThis.gc?.();
    const indexPath = join(dir, file);
    const stats = await build(corpusPath, indexPath);
    t = performance.now();
    const backend = await open(indexPath);
    await backend.search('warm up', 10);
    const openMs = performance.now() - t;
    const latencies = [];
    let found = 0;
    for (const { query, id } of queries) {
      const start = performance.now();
      const hits = await backend.search(query, 10);
      latencies.push(performance.now() - start);
      if (hits.some((hit) => hit.id === id)) found++;
    }
    await backend.close?.();
    latencies.sort((a, b) => a - b);
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    rows.push({
      backend: name,
      'build s': (stats.buildMs / 1000).toFixed(2),
      'index MiB': (stats.bytes / 2 ** 20).toFixed(1),
      'open ms': openMs.toFixed(0),
      'p50 ms': pct(50).toFixed(2),
      'p95 ms': pct(95).toFixed(2),
      'recall@10': (found / queries.length).toFixed(2),
    });
    rmSync(indexPath, { force: true });
  }
  console.log(`${QUERIES} queries of 2–3 words, top 10, Node ${process.version}`);
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
