import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolExecutor } from '@arpo/core';
import type { TfjsPolicy } from '@arpo/policy-tfjs';
import { RolloutEngine } from '@arpo/rollout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCompletions, type CompletionsServer } from './completions-server.js';
import { OpenAIPolicy } from './openai-policy.js';
import { comparable, createRealTools, createTinyPolicy, prompts, segmentEntropies, tokenizer } from './testing/tiny-setup.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-policy-openai-eq-'));
let tools: ToolExecutor;
let local: TfjsPolicy;
let served: TfjsPolicy;
let server: CompletionsServer;

beforeAll(async () => {
  tools = await createRealTools(dir);
  local = await createTinyPolicy(4);
  served = await createTinyPolicy(4); // the same weights, behind a real socket
  server = await serveCompletions({ policy: served, port: 0, modelName: 'tiny' });
});
afterAll(async () => {
  await server.close();
  local.dispose();
  served.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('RolloutEngine over OpenAIPolicy → served TfjsPolicy equals the in-process TfjsPolicy', () => {
  for (const entropySource of ['top-k', 'full'] as const) {
    it(`same seed → the same rollout groups (entropySource ${entropySource})`, async () => {
      const config = { rollouts: 6, initialRollouts: 3, maxResponseTokens: 96, callLimit: 3, entropySource };
      const before = server.stats().generateCalls;
      const remote = new OpenAIPolicy({ servers: [server.url], tokenizer, model: 'tiny' });
      const a = await new RolloutEngine({ policy: local, tools, config, seed: 3 }).run(prompts);
      const b = await new RolloutEngine({ policy: remote, tools, config, seed: 3 }).run(prompts);

      expect(comparable(b.groups)).toEqual(comparable(a.groups)); // tokens, masks, tree, finish reasons identical
      const ha = segmentEntropies(a.groups);
      const hb = segmentEntropies(b.groups);
      expect(hb).toHaveLength(ha.length);
      hb.forEach((h, i) => expect(Math.abs(h - ha[i]!)).toBeLessThan(1e-4));
      b.groups.forEach((g, p) => g.trajectories.forEach((t, j) => {
        const u = a.groups[p]!.trajectories[j]!;
        expect(t.samplerLogprobs).toHaveLength(u.samplerLogprobs!.length);
        t.samplerLogprobs!.forEach((lp, k) => expect(Math.abs(lp - u.samplerLogprobs![k]!)).toBeLessThan(1e-6));
      }));

      // The run was meaningful: tools ran and ARPO branched; the server merged each round into one call.
      expect(Object.values(b.metrics.toolCallsExecuted).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
      expect(b.metrics.branches).toBeGreaterThan(0);
      expect(b.metrics.rounds).toBe(a.metrics.rounds);
      expect(server.stats().generateCalls - before).toBe(b.metrics.rounds);
      expect(remote.stats().retries).toBe(0);
    });
  }
});
