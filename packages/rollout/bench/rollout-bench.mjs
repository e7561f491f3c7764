// Rollout benchmark: `npm run bench -w @arpo/rollout` (build first, e.g. through nx).
// 8 prompts × M = 16 with the tiny tfjs policy (STANDARD_CONFIGS.tiny with the toy tool vocabulary, so a random
// model calls the real tools) and real tools (SQLite FTS5 search, sandboxed Python), in ARPO (adaptive) and
// trajectory (GRPO) mode at the same M. Prints tokens/s, tool calls executed per prompt and the engine's own
// overhead share of the wall time (goal ≤ 5%).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDARD_CONFIGS, TfjsPolicy } from '@arpo/policy-tfjs';
import { buildSqliteIndex, createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';
import { RolloutEngine } from '../dist/index.js';
import { ToyToolTokenizer } from '@arpo/testing';

const PROMPTS = 8;
const M = 16;
const MAX_RESPONSE = 128;
const dir = mkdtempSync(join(tmpdir(), 'arpo-rollout-bench-'));
try {
  const corpus = join(dir, 'corpus.jsonl');
  const countries = ['Australia', 'France'];
  writeFileSync(corpus, countries.map((c, i) => JSON.stringify({ id: String(i), title: c, text: `The capital of ${c} is ${['Canberra', 'Paris'][i]}.` })).join('\n'));
  await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
  const { executor, isolation } = await createPythonExecutor({ log: () => undefined });
  const tokenizer = new ToyToolTokenizer();
  const policy = await TfjsPolicy.create({ ...STANDARD_CONFIGS.tiny, vocab_size: tokenizer.vocabSize }, { tokenizer, seed: 1, log: () => undefined });
  const prompts = Array.from({ length: PROMPTS }, (_, i) => ({ promptId: `q${i}`, promptTokens: tokenizer.encode(`<think> capital of ${countries[i % 2]}`) }));
  console.log(`@arpo/rollout bench — ${PROMPTS} prompts × M = ${M}, max ${MAX_RESPONSE} response tokens, tiny tfjs policy (hidden 128, 4 layers, vocab ${tokenizer.vocabSize}), tools: search (SQLite FTS5) + python (${isolation}), Node ${process.version}`);
  const rows = [];
  for (const mode of ['adaptive', 'trajectory']) {
    const tools = createToolExecutor([createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite'))), createPythonTool(executor, { timeoutMs: 20_000 })]);
    const engine = new RolloutEngine({ policy, tools, config: { mode, rollouts: M, maxResponseTokens: MAX_RESPONSE, callLimit: 3 }, seed: 7 });
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push((await engine.run(prompts)).metrics);
    runs.sort((a, b) => a.totalMs - b.totalMs);
    const m = runs[1]; // median of 3 by wall time
    const executed = Object.values(m.toolCallsExecuted).reduce((a, b) => a + b, 0);
    rows.push({
      mode: mode === 'adaptive' ? 'ARPO (adaptive)' : 'GRPO (trajectory)',
      'wall s': (m.totalMs / 1000).toFixed(2),
      'tokens/s': Math.round(m.tokensGenerated / (m.totalMs / 1000)),
      'tool calls executed / prompt': (executed / PROMPTS).toFixed(2),
      'tool calls in trajectories / prompt': (m.toolCallsInTrajectories / PROMPTS).toFixed(2),
      branches: m.branches,
      refills: m.refills,
      rounds: m.rounds,
      'policy %': ((100 * m.policyMs) / m.totalMs).toFixed(1),
      'tools %': ((100 * m.toolMs) / m.totalMs).toFixed(1),
      'engine overhead %': (100 * m.engineOverhead).toFixed(2),
    });
  }
  console.table(rows);
  console.log('Median of 3 runs per mode by wall time. A random model: tool-call counts show the prefix sharing of branches, not learned behaviour.');
  policy.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
