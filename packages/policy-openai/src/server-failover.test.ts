import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutGroupSchema, type GenerateRequest, type Policy, type ToolExecutor } from '@arpo/core';
import { RolloutEngine } from '@arpo/rollout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIPolicy } from './openai-policy.js';
import { spawnCheckpointServer, type ChildServer } from './testing/child-server.js';
import { comparable, createRealTools, createTinyPolicy, prompts, tokenizer } from './testing/tiny-setup.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-policy-openai-kill-'));
const config = { rollouts: 6, initialRollouts: 3, maxResponseTokens: 96, callLimit: 3 };
let tools: ToolExecutor;
let servers: ChildServer[] = [];
let expected: ReturnType<typeof comparable>;

beforeAll(async () => {
  tools = await createRealTools(dir);
  const policy = await createTinyPolicy(4);
  expected = comparable((await new RolloutEngine({ policy, tools, config, seed: 3 }).run(prompts)).groups);
  await policy.save(join(dir, 'ckpt')); // the toy tokenizer is not serialisable: the children pass it to load()
  policy.dispose();
  servers = await Promise.all([spawnCheckpointServer(join(dir, 'ckpt')), spawnCheckpointServer(join(dir, 'ckpt'))]);
});
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('two server processes, one killed mid-rollout', () => {
  it('the rollout retries on the remaining server and completes (with the same groups)', async () => {
    const [a, b] = servers as [ChildServer, ChildServer];
    const remote = new OpenAIPolicy({ servers: [a.url, b.url], tokenizer, model: 'tiny', retry: { initialDelayMs: 10, jitter: 'none' } });
    let calls = 0;
    let killedWithInFlight = 0;
    // The engine's policy: the remote one, killing server A while round 2's requests are in flight there.
    const killing: Policy = {
      specificationVersion: 'v1',
      modelId: remote.modelId,
      tokenizer,
      async generate(request: GenerateRequest) {
        calls += 1;
        const pending = remote.generate(request);
        if (calls === 2) {
          await until(() => remote.stats().servers[0]!.inFlight > 0);
          killedWithInFlight = remote.stats().servers[0]!.inFlight;
          a.child.kill('SIGKILL');
        }
        return pending;
      },
    };
    const { groups, metrics } = await new RolloutEngine({ policy: killing, tools, config, seed: 3 }).run(prompts);

    expect(killedWithInFlight).toBeGreaterThan(0);
    expect(a.child.signalCode).toBe('SIGKILL');
    for (const g of groups) expect(RolloutGroupSchema.parse(g).trajectories).toHaveLength(6);
    const [statsA, statsB] = remote.stats().servers;
    expect(statsA!.failures).toBeGreaterThan(0);
    expect(statsB!.requests).toBeGreaterThan(0);
    expect(remote.stats().retries).toBeGreaterThanOrEqual(killedWithInFlight);
    expect(metrics.rounds).toBeGreaterThan(2);
    // Rows are seeded by (batch seed, row index), whichever server runs them: the retried rows reproduce too.
    expect(comparable(groups)).toEqual(expected);
  });
});
