import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutGroup, ToolExecutor } from '@arpo/core';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { buildSqliteIndex, createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';
import { ToyToolTokenizer } from '@arpo/testing';

/** The toy tool vocabulary: a random tiny model emits tool tags often, so the real tools run. */
export const tokenizer = new ToyToolTokenizer();

/** A one-layer random model over the toy vocabulary (as in @arpo/rollout's tfjs integration test). */
export function createTinyPolicy(seed = 4): Promise<TfjsPolicy> {
  return TfjsPolicy.create(
    { vocab_size: tokenizer.vocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 512 },
    { tokenizer, seed, log: () => undefined },
  );
}

/** Real tools: SQLite FTS5 search over two documents and the sandboxed Python interpreter. */
export async function createRealTools(dir: string): Promise<ToolExecutor> {
  const corpus = join(dir, 'corpus.jsonl');
  writeFileSync(
    corpus,
    [
      { id: 'au', title: 'Australia', text: 'The capital of Australia is Canberra.' },
      { id: 'fr', title: 'France', text: 'The capital of France is Paris.' },
    ]
      .map((d) => JSON.stringify(d))
      .join('\n'),
  );
  await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
  const { executor } = await createPythonExecutor({ log: () => undefined });
  return createToolExecutor([createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite'))), createPythonTool(executor, { timeoutMs: 20_000 })]);
}

/** Two prompts that invite a search. */
export const prompts = [0, 1].map((i) => ({ promptId: `q${i}`, promptTokens: tokenizer.encode(`<think> capital of${i ? ' France' : ' Australia'}`) }));

/** The parts of rollout groups that must match between two runs (timings left out). */
export function comparable(groups: readonly RolloutGroup[]) {
  return groups.map((g) => ({
    promptId: g.promptId,
    stats: { ...g.stats },
    trajectories: g.trajectories.map((t) => ({
      id: t.id,
      parentId: t.parentId,
      branchPoint: t.branchPoint,
      responseTokens: t.responseTokens,
      lossMask: t.lossMask,
      finishReason: t.finishReason,
      segments: t.segments.map((s) => ({ kind: s.kind, start: s.start, end: s.end })),
    })),
  }));
}

/** Entropy and ΔH of every model segment, in order. */
export function segmentEntropies(groups: readonly RolloutGroup[]): number[] {
  return groups.flatMap((g) => g.trajectories.flatMap((t) => t.segments.flatMap((s) => (s.kind === 'model' && s.entropy !== undefined ? [s.entropy, s.deltaH ?? 0] : []))));
}
