import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutGroupSchema, type Tool } from '@arpo/core';
import { buildSqliteIndex, createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { RolloutEngine } from './rollout-engine.js';
import { CharTokenizer, ScriptedPolicy, type Script } from '@arpo/testing';

const tok = new CharTokenizer();
const prompt = { promptId: 'q', promptTokens: tok.encode('Capital of Australia times?') };
const dir = mkdtempSync(join(tmpdir(), 'arpo-rollout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rollout with the real tools of @arpo/tools', () => {
  it('a tool that sleeps 100 ms, called by 32 trajectories in one round, costs about one latency', async () => {
    const sleeper: Tool = {
      specificationVersion: 'v1',
      name: 'sleep',
      execute: () => new Promise((resolve) => setTimeout(() => resolve({ text: 'woke', status: 'ok' }), 100)),
    };
    const script: Script = (response) =>
      response.includes('</sleep>') ? { text: 'done', finish: 'eos' } : { text: '<sleep>1</sleep>', finish: 'stop' };
    const engine = new RolloutEngine({
      policy: new ScriptedPolicy(script, () => prompt.promptTokens.length),
      tools: createToolExecutor([sleeper]),
      config: { mode: 'trajectory', rollouts: 32, entropySource: 'full' },
    });
    const { metrics } = await engine.run([prompt]);
    expect(metrics.toolCallsExecuted).toEqual({ sleep: 32 });
    expect(metrics.toolMs).toBeGreaterThanOrEqual(95);
    expect(metrics.toolMs).toBeLessThan(32 * 100 * 0.25); // concurrent: far below 32 sequential sleeps
  });

  it('search (SQLite FTS5) and Python (sandboxed) results land in valid groups with mask 0', async () => {
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(
      corpus,
      [
        { id: 'au', title: 'Australia', text: 'Australia is a country in Oceania. Its capital is Canberra.' },
        { id: 'fr', title: 'France', text: 'France is a country in Europe. Its capital is Paris.' },
      ]
        .map((d) => JSON.stringify(d))
        .join('\n'),
    );
    await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
    const { executor } = await createPythonExecutor({ log: () => undefined });
    const tools = createToolExecutor([createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite'))), createPythonTool(executor, { timeoutMs: 20_000 })]);
    const script: Script = (response) => {
      if (!response.includes('</search>')) return { text: '<think>look it up</think><search>capital of Australia</search>', finish: 'stop' };
      if (!response.includes('</python>')) return { text: '<python>6 * 7</python>', finish: 'stop' };
      return { text: '<answer>\\boxed{Canberra}</answer>', finish: 'eos' };
    };
    const engine = new RolloutEngine({
      policy: new ScriptedPolicy(script, () => prompt.promptTokens.length),
      tools,
      config: { rollouts: 4, initialRollouts: 2, entropySource: 'full' },
      seed: 3,
    });
    const { groups, metrics } = await engine.run([prompt]);
    const group = RolloutGroupSchema.parse(groups[0]);
    expect(group.trajectories).toHaveLength(4);
    for (const t of group.trajectories) {
      const text = tok.decode(t.responseTokens, { skipSpecialTokens: true });
      expect(text).toContain(' <result>\nPage 1: Australia is a country in Oceania. Its capital is Canberra.');
      expect(text).toContain('<python>6 * 7</python> <result>\n42\n</result>');
      for (const s of t.segments) {
        const mask = t.lossMask.slice(s.start, s.end);
        expect(mask.every((v) => v === (s.kind === 'tool-result' ? 0 : 1))).toBe(true);
      }
    }
    // Branches reuse their parent's prefix: executed calls < calls summed over trajectories when any branch forked.
    const executed = (metrics.toolCallsExecuted.search ?? 0) + (metrics.toolCallsExecuted.python ?? 0);
    expect(metrics.toolCallsInTrajectories).toBe(8);
    expect(executed).toBe(8 - group.trajectories.filter((t) => t.origin === 'branch').reduce((n, t) => n + (t.segments.filter((s) => s.kind === 'tool-result' && s.start < t.branchPoint!).length), 0));
  }, 60_000);
});
