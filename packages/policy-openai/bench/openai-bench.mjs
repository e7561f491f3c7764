// Benchmark: `npm run bench -w @arpo/policy-openai` (nx builds the package and its dependencies first).
// ARPO rollouts (8 prompts × M = 16, max 128 response tokens, real tools) with the tiny tfjs policy
// (STANDARD_CONFIGS.tiny over the toy tool vocabulary) three ways, at the same batch and seed:
//   in-process TfjsPolicy  |  OpenAIPolicy → 1 server process  |  OpenAIPolicy → 2 server processes.
// Each way: one warm-up run, then 3 timed runs; prints the median tokens/s and the ratios.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDARD_CONFIGS, TfjsPolicy } from '@arpo/policy-tfjs';
import { RolloutEngine } from '@arpo/rollout';
import { buildSqliteIndex, createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';
import { OpenAIPolicy } from '../dist/index.js';
import { ToyToolTokenizer } from '@arpo/testing';

const PROMPTS = 8;
const M = 16;
const MAX_RESPONSE = 128;
const RUNS = 3;
const config = { rollouts: M, maxResponseTokens: MAX_RESPONSE, callLimit: 3 };

function spawnServer(checkpoint) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'serve-checkpoint.mjs'), checkpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ url: JSON.parse(line).url, child });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function measure(label, policy, tools, prompts) {
  const engine = new RolloutEngine({ policy, tools, config, seed: 7 });
  await engine.run(prompts); // warm-up (wasm kernels, connections)
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push((await engine.run(prompts)).metrics);
  const tps = runs.map((m) => m.tokensGenerated / (m.totalMs / 1000)).sort((a, b) => a - b);
  const median = runs.slice().sort((a, b) => a.totalMs - b.totalMs)[Math.floor(RUNS / 2)];
  return {
    policy: label,
    'median tokens/s': Math.round(tps[Math.floor(RUNS / 2)]),
    'min–max tokens/s': `${Math.round(tps[0])}–${Math.round(tps[RUNS - 1])}`,
    'median wall s': (median.totalMs / 1000).toFixed(2),
    tokens: median.tokensGenerated,
    rounds: median.rounds,
    'policy %': ((100 * median.policyMs) / median.totalMs).toFixed(1),
    'tools %': ((100 * median.toolMs) / median.totalMs).toFixed(1),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'arpo-openai-bench-'));
const children = [];
try {
  const corpus = join(dir, 'corpus.jsonl');
  const countries = ['Australia', 'France'];
  writeFileSync(corpus, countries.map((c, i) => JSON.stringify({ id: String(i), title: c, text: `The capital of ${c} is ${['Canberra', 'Paris'][i]}.` })).join('\n'));
  await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
  const { executor, isolation } = await createPythonExecutor({ log: () => undefined });
  const tools = createToolExecutor([createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite'))), createPythonTool(executor, { timeoutMs: 20_000 })]);
  const tokenizer = new ToyToolTokenizer();
  const policy = await TfjsPolicy.create({ ...STANDARD_CONFIGS.tiny, vocab_size: tokenizer.vocabSize }, { tokenizer, seed: 1, log: () => undefined });
  const checkpoint = join(dir, 'ckpt');
  await policy.save(checkpoint);
  const prompts = Array.from({ length: PROMPTS }, (_, i) => ({ promptId: `q${i}`, promptTokens: tokenizer.encode(`<think> capital of ${countries[i % 2]}`) }));
  console.log(
    `@arpo/policy-openai bench — ${PROMPTS} prompts × M = ${M} (ARPO adaptive), max ${MAX_RESPONSE} response tokens, tiny tfjs policy ` +
      `(hidden 128, 4 layers, vocab ${tokenizer.vocabSize}, backend ${policy.backend.backend}), tools: search + python (${isolation}), ` +
      `Node ${process.version}, ${cpus().length} CPUs; warm-up + median of ${RUNS} runs; the same seed, so every way generates the same tokens`,
  );

  const rows = [await measure('in-process TfjsPolicy', policy, tools, prompts)];
  policy.dispose();
  children.push(await spawnServer(checkpoint));
  const one = new OpenAIPolicy({ servers: [children[0].url], tokenizer, model: 'tiny' });
  rows.push(await measure('HTTP → 1 server process', one, tools, prompts));
  children.push(await spawnServer(checkpoint));
  const two = new OpenAIPolicy({ servers: children.map((c) => c.url), tokenizer, model: 'tiny' });
  rows.push(await measure('HTTP → 2 server processes', two, tools, prompts));
  console.table(rows);
  const tps = rows.map((r) => r['median tokens/s']);
  console.log(`ratio HTTP (1 server) / in-process: ${(tps[1] / tps[0]).toFixed(2)}×`);
  console.log(`ratio 2 servers / 1 server:          ${(tps[2] / tps[1]).toFixed(2)}×`);
  console.log(`ratio 2 servers / in-process:        ${(tps[2] / tps[0]).toFixed(2)}×`);
  console.log(`requests per server with 2: ${two.stats().servers.map((s) => s.requests).join(' / ')}; retries ${two.stats().retries}`);
  await executor.close?.();
} finally {
  for (const c of children) c.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
