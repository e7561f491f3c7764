import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutGroupSchema } from '@arpo/core';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { buildSqliteIndex, createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { ToyToolTokenizer } from '@arpo/testing';
import { RolloutEngine } from './rollout-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-rollout-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rollout with the tfjs policy (tiny random model) and the real tools', () => {
  it('produces valid groups of exactly M; branches share their parent prefix; tool results are masked', async () => {
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, [
      { id: 'au', title: 'Australia', text: 'The capital of Australia is Canberra.' },
      { id: 'fr', title: 'France', text: 'The capital of France is Paris.' },
    ].map((d) => JSON.stringify(d)).join('\n'));
    await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
    const { executor } = await createPythonExecutor({ log: () => undefined });
    const tools = createToolExecutor([createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite'))), createPythonTool(executor, { timeoutMs: 20_000 })]);

    const tokenizer = new ToyToolTokenizer();
    const policy = await TfjsPolicy.create(
      { vocab_size: tokenizer.vocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 512 },
      { tokenizer, seed: 4, log: () => undefined },
    );
    const engine = new RolloutEngine({ policy, tools, config: { rollouts: 6, initialRollouts: 3, maxResponseTokens: 96, callLimit: 3 }, seed: 2 });
    const prompts = [0, 1].map((i) => ({ promptId: `q${i}`, promptTokens: tokenizer.encode(`<think> capital of${i ? ' France' : ' Australia'}`) }));
    const { groups, metrics } = await engine.run(prompts);

    expect(groups).toHaveLength(2);
    for (const g of groups) {
      const group = RolloutGroupSchema.parse(g);
      expect(group.trajectories).toHaveLength(6);
      for (const t of group.trajectories) {
        expect(t.responseTokens.length).toBeLessThanOrEqual(96);
        for (const s of t.segments) {
          expect(t.lossMask.slice(s.start, s.end).every((v) => v === (s.kind === 'tool-result' ? 0 : 1))).toBe(true);
          if (s.kind === 'tool-result') expect(tokenizer.decode(t.responseTokens.slice(s.start, s.end)).startsWith(' <result>')).toBe(true);
        }
        if (t.parentId !== null) {
          const parent = group.trajectories.find((p) => p.id === t.parentId)!;
          expect(t.responseTokens.slice(0, t.branchPoint!)).toEqual(parent.responseTokens.slice(0, t.branchPoint!));
        }
      }
    }
    // The random toy-vocabulary model calls tools (about 1 in 8 tokens is a tag), so tools really ran.
    const executed = Object.values(metrics.toolCallsExecuted).reduce((a, b) => a + b, 0);
    expect(executed).toBeGreaterThan(0);
    expect(metrics.tokensGenerated).toBeGreaterThan(0);
    // Every sequence's KV cache was released at the end.
    expect(policy.cacheStats().sequences).toBe(0);
    policy.dispose();
  }, 120_000);
});
