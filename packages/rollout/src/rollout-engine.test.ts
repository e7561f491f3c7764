import {
  createRng,
  RolloutGroupSchema,
  type Generation,
  type RolloutConfigInput,
  type Tool,
  type ToolCallRecord,
  type ToolCallRequest,
  type ToolExecutor,
} from '@arpo/core';
import { EntropyTracker, shouldBranch } from '@arpo/entropy';
import { describe, expect, it } from 'vitest';
import { RolloutEngine } from './rollout-engine.js';
import { exact, searcher, seededTracker } from './test-support/scripts.js';
import { CharTokenizer, ScriptedPolicy, type Script } from '@arpo/testing';

const tok = new CharTokenizer();
const PROMPTS = [
  { promptId: 'p0', promptTokens: tok.encode('Q0?') },
  { promptId: 'p1', promptTokens: tok.encode('Q1??') },
];
const promptLength = (id: string) => PROMPTS.find((p) => id.startsWith(`${p.promptId}/`))!.promptTokens.length;

/** Tool executor double: `search` answers `R:<query>`; counts rounds and calls. */
class EchoTools implements ToolExecutor {
  readonly toolNames = ['search', 'python'];
  readonly rounds: ToolCallRequest[][] = [];
  async executeAll(calls: readonly ToolCallRequest[]): Promise<ToolCallRecord[]> {
    this.rounds.push([...calls]);
    return calls.map((c) => ({ tool: c.tool, input: c.input, output: `R:${c.input}`, status: 'ok', durationMs: 1, attempts: 1, cached: false }));
  }
}


function engine(script: Script, config: RolloutConfigInput, extra: { tracker?: EntropyTracker; seed?: number } = {}) {
  const policy = new ScriptedPolicy(script, promptLength);
  const tools = new EchoTools();
  const now = () => 0; // a fixed clock: timings are recorded in the groups
  return { policy, tools, engine: new RolloutEngine({ policy, tools, config, now, seed: extra.seed ?? 1, ...(extra.tracker ? { tracker: extra.tracker } : {}) }) };
}

describe('trajectory mode (GRPO baseline)', () => {
  it('samples M global trajectories with correct masks and no branching', async () => {
    const { engine: e, tools } = engine(searcher(1), { ...exact, mode: 'trajectory', rollouts: 3 });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    const [g] = groups;
    expect(g!.trajectories.map((t) => [t.id, t.origin, t.parentId, t.finishReason, t.toolCalls])).toEqual([
      ['p0/0', 'global', null, 'eos', 1],
      ['p0/1', 'global', null, 'eos', 1],
      ['p0/2', 'global', null, 'eos', 1],
    ]);
    // Response: "<search>q0</search>" (19, mask 1) + " <result>\nR:q0\n</result>" (1+8+1+4+1+9 = 24, mask 0) + "<answer>A</answer>" + EOS (18+1 = 19, mask 1).
    const t = g!.trajectories[0]!;
    expect(tok.decode(t.responseTokens)).toBe('<search>q0</search> <result>\nR:q0\n</result><answer>A</answer></s>');
    expect(t.lossMask).toEqual([...Array(19).fill(1), ...Array(24).fill(0), ...Array(19).fill(1)]);
    expect(t.segments.map((s) => [s.kind, s.start, s.end])).toEqual([
      ['model', 0, 19],
      ['tool-result', 19, 43],
      ['model', 43, 62],
    ]);
    expect(metrics).toMatchObject({ branches: 0, refills: 0, rounds: 2, toolCallsExecuted: { search: 3 }, toolCallsInTrajectories: 3 });
    expect(tools.rounds.map((r) => r.length)).toEqual([3]); // all calls of a round in one executeAll
    expect(RolloutGroupSchema.parse(g)).toBeTruthy();
  });
});

describe('branching semantics (reference stochastic rule, α = 0.5, β = 0.2)', () => {
  it('ΔH = 0 gives P = 0.5 and the decisions follow the seeded draws exactly', async () => {
    const seed = 11;
    const { engine: e } = engine(searcher(1), { ...exact, rollouts: 4, initialRollouts: 2 }, { seed });
    const { groups } = await e.run([PROMPTS[0]!]);
    const g = groups[0]!;
    // Round 1: t0 and t1 end their first segment in a tool call; ΔH = 0 (first observation) → P = 0.5.
    const first = g.trajectories.slice(0, 2).map((t) => t.segments[0]);
    for (const s of first) expect(s!).toMatchObject({ kind: 'model', entropy: 1, deltaH: 0, branch: { probability: 0.5, attempts: 1 } });
    // Independent replay of the branch stream: createRng(seed).split('branch') is the engine's branch RNG.
    const replay = createRng(seed).split('branch');
    const cfg = { branchProbability: 0.5, entropyWeight: 0.2, branchThreshold: 0.5, branchRule: 'stochastic' as const };
    const expected = [shouldBranch(0, cfg, replay).branch, shouldBranch(0, cfg, replay).branch];
    expect(first.map((s) => (s?.kind === 'model' ? s.branch!.children.length === 1 : null))).toEqual(expected);
  });

  it('ΔH = +3 (≥ 2.5) always branches until the group holds exactly M', async () => {
    const tracker = seededTracker(6, 0); // stale baselines 0 → every segment has ΔH = +3
    const { engine: e, policy } = engine(searcher(2, 3), { ...exact, rollouts: 6, initialRollouts: 2 }, { tracker });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    const g = groups[0]!;
    expect(g.trajectories).toHaveLength(6);
    // Round 1: sources p0/0, p0/1 branch once each (Z = 1) → 4. Round 2 (after 19 + 24 + 19 + 24 = 86 tokens): p0/0, p0/1 branch again → 6 (budget spent).
    expect(g.trajectories.map((t) => [t.id, t.origin, t.parentId, t.branchPoint])).toEqual([
      ['p0/0', 'global', null, null],
      ['p0/1', 'global', null, null],
      ['p0/2', 'branch', 'p0/0', 43],
      ['p0/3', 'branch', 'p0/1', 43],
      ['p0/4', 'branch', 'p0/0', 86],
      ['p0/5', 'branch', 'p0/1', 86],
    ]);
    expect(metrics).toMatchObject({ branches: 4, refills: 0 });
    expect(policy.forks).toEqual([
      ['p0/0', 'p0/2'],
      ['p0/1', 'p0/3'],
      ['p0/0', 'p0/4'],
      ['p0/1', 'p0/5'],
    ]);
    // A branch shares its parent's prefix exactly (tokens and masks), and inherits its call counter.
    const child = g.trajectories[4]!;
    const parent = g.trajectories[0]!;
    expect(child.responseTokens.slice(0, 86)).toEqual(parent.responseTokens.slice(0, 86));
    expect(child.lossMask.slice(0, 86)).toEqual(parent.lossMask.slice(0, 86));
    expect(child.toolCalls).toBe(2);
    // Shared prefix tool calls ran once: 2 globals × 2 calls; children p0/2, p0/3 made 1 own call each; p0/4, p0/5 none.
    expect(metrics.toolCallsExecuted).toEqual({ search: 6 });
    expect(metrics.toolCallsInTrajectories).toBe(12);
  });

  it('ΔH = −3 (≤ −2.5) never branches; refill adds exactly one trajectory per idle prompt per round', async () => {
    const tracker = seededTracker(6, 6); // baselines 6, segments 3 → ΔH = −3 → P = clip(0.5 − 0.6) = 0
    const { engine: e } = engine(searcher(2, 3), { ...exact, rollouts: 3, initialRollouts: 1 }, { tracker });
    const { groups, metrics } = await e.run(PROMPTS);
    for (const g of groups) {
      expect(g.trajectories.map((t) => t.origin)).toEqual(['global', 'refill', 'refill']);
      for (const t of g.trajectories) for (const s of t.segments) if (s.kind === 'model' && s.branch) expect(s.branch).toMatchObject({ probability: 0, children: [] });
    }
    // Each trajectory takes 3 rounds; a refill arrives at the end of the round its predecessor finished.
    expect(metrics).toMatchObject({ branches: 0, refills: 4, rounds: 9, trajectories: 6 });
  });

  it('Z > 1: beamSize 3 spawns up to two branches per source within the budget', async () => {
    const tracker = seededTracker(5, 0);
    const { engine: e } = engine(searcher(2, 3), { ...exact, rollouts: 5, initialRollouts: 1, beamSize: 3 }, { tracker });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    expect(groups[0]!.trajectories.map((t) => [t.id, t.parentId, t.branchPoint])).toEqual([
      ['p0/0', null, null],
      ['p0/1', 'p0/0', 43],
      ['p0/2', 'p0/0', 43],
      ['p0/3', 'p0/0', 86], // round 2: remaining 2, p0/0 (first in index order) takes both
      ['p0/4', 'p0/0', 86],
    ]);
    expect(metrics.branches).toBe(4);
  });

  it('paper timing (after-k-tokens) forks at the tool result that preceded the measured segment', async () => {
    const tracker = seededTracker(4, 0);
    const { engine: e } = engine(searcher(1, 3), { ...exact, rollouts: 2, initialRollouts: 1, decisionTiming: 'after-k-tokens' }, { tracker });
    const { groups } = await e.run([PROMPTS[0]!]);
    const [parent, child] = groups[0]!.trajectories;
    // Round 1 segment starts the response (no tool result before it): no decision. Round 2's segment follows
    // result 1 (ends at 19 + 24 = 43): the child forks there and re-generates the answer itself.
    expect(child).toMatchObject({ parentId: 'p0/0', branchPoint: 43, toolCalls: 1 });
    expect(tok.decode(child!.responseTokens)).toBe(tok.decode(parent!.responseTokens));
    expect(parent!.segments[0]).not.toHaveProperty('branch');
    expect(parent!.segments[2]).toMatchObject({ branch: { probability: 1, children: ['p0/1'] } });
  });

  it('highest-entropy budget allocation gives the single remaining slot to the largest ΔH', async () => {
    const script: Script = (response, { sequenceId }) => {
      const made = (response.match(/<\/search>/g) ?? []).length;
      const h = sequenceId === 'p0/1' ? 2 : 1; // ΔH: p0/0 → +1, p0/1 → +2 against baseline 0
      return made < 1 ? { text: '<search>q</search>', finish: 'stop', entropies: [h] } : { text: '<answer>A</answer>', finish: 'eos' };
    };
    const base = { ...exact, rollouts: 3, initialRollouts: 2, branchRule: 'threshold' as const };
    const order = await new RolloutEngine({ policy: new ScriptedPolicy(script, promptLength), tools: new EchoTools(), config: base, tracker: seededTracker(3, 0) }).run([PROMPTS[0]!]);
    expect(order.groups[0]!.trajectories[2]!.parentId).toBe('p0/0'); // index order: p0/0 first (P = 0.7 > τ)
    const ranked = await new RolloutEngine({
      policy: new ScriptedPolicy(script, promptLength),
      tools: new EchoTools(),
      config: { ...base, budgetAllocation: 'highest-entropy' },
      tracker: seededTracker(3, 0),
    }).run([PROMPTS[0]!]);
    expect(ranked.groups[0]!.trajectories[2]!.parentId).toBe('p0/1');
  });
});

describe('stopping rules', () => {
  it('the call limit appends EOS with loss mask 1', async () => {
    const { engine: e } = engine(searcher(5), { ...exact, mode: 'trajectory', rollouts: 1, callLimit: 1 });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    const t = groups[0]!.trajectories[0]!;
    expect(t.finishReason).toBe('call-limit');
    expect(t.toolCalls).toBe(1);
    expect(t.responseTokens.at(-1)).toBe(tok.eosTokenId);
    expect(t.lossMask.at(-1)).toBe(1);
    expect(t.segments.at(-1)).toEqual({ kind: 'injected', reason: 'call-limit-eos', start: 62, end: 63 });
    expect(metrics.callLimitHits).toBe(1);
  });

  it('an empty tool body stops the trajectory without EOS', async () => {
    const { engine: e, tools } = engine(() => ({ text: '<search>  </search>', finish: 'stop' }), { ...exact, mode: 'trajectory', rollouts: 1 });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    const t = groups[0]!.trajectories[0]!;
    expect(t.finishReason).toBe('empty-tool-call');
    expect(tok.decode(t.responseTokens)).toBe('<search>  </search>');
    expect(tools.rounds).toEqual([]);
    expect(metrics.emptyToolCalls).toBe(1);
  });

  it('the response cap truncates and stops', async () => {
    const { engine: e } = engine(searcher(3), { ...exact, mode: 'trajectory', rollouts: 1, maxResponseTokens: 30 });
    const { groups } = await e.run([PROMPTS[0]!]);
    const t = groups[0]!.trajectories[0]!;
    expect(t.responseTokens).toHaveLength(30);
    expect(t.finishReason).toBe('length');
    expect(t.segments.map((s) => [s.kind, s.start, s.end])).toEqual([
      ['model', 0, 19],
      ['tool-result', 19, 30],
    ]);
  });
});

describe("the model's context length", () => {
  /** A scripted policy with a context of `contextLength` tokens that fails like a real one when it is exceeded. */
  class SmallContextPolicy extends ScriptedPolicy {
    constructor(
      script: Script,
      readonly contextLength: number,
    ) {
      super(script, promptLength);
    }
    override async generate(request: Parameters<ScriptedPolicy['generate']>[0]) {
      request.prefixes.forEach((prefix, i) => {
        const maxNew = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i]!;
        if (prefix.length + maxNew > this.contextLength) throw new Error(`prefix ${prefix.length} + ${maxNew} new tokens > context ${this.contextLength}`);
      });
      return super.generate(request);
    }
  }
  const neverStops = searcher(Number.POSITIVE_INFINITY);
  const run = async (contextLength: number) => {
    const policy = new SmallContextPolicy(neverStops, contextLength);
    const e = new RolloutEngine({ policy, tools: new EchoTools(), config: { ...exact, rollouts: 4, initialRollouts: 2, callLimit: 100, maxResponseTokens: 500 }, now: () => 0, seed: 3 });
    return (await e.run([PROMPTS[0]!])).groups[0]!;
  };
  // Segments: "<search>qN</search>" 19 tokens (mask 1), " <result>\nR:qN\n</result>" 24 tokens (mask 0); prompt 3 tokens.

  it('a trajectory that never stops calling ends with finish length at the context; the group still has exactly M', async () => {
    const group = await run(3 + 90); // room for 90 response tokens: 19 + 24 + 19 + 24 = 86, then 4 tokens of a third call
    expect(group.trajectories).toHaveLength(4);
    for (const t of group.trajectories) {
      expect(t.finishReason).toBe('length');
      expect(t.responseTokens).toHaveLength(90);
      expect(t.lossMask).toEqual([...Array(19).fill(1), ...Array(24).fill(0), ...Array(19).fill(1), ...Array(24).fill(0), ...Array(4).fill(1)]);
      expect(t.segments.filter((s) => s.start >= (t.branchPoint ?? 0)).at(-1)).toMatchObject({ kind: 'model', start: 86, end: 90 });
    }
    expect(RolloutGroupSchema.parse(group)).toBeTruthy();
  });

  it('a tool result that overruns the context ends the trajectory, truncated to the context', async () => {
    const group = await run(3 + 80); // the second result would end at 86 > 80
    expect(group.trajectories).toHaveLength(4);
    for (const t of group.trajectories) {
      expect(t.finishReason).toBe('length');
      expect(t.lossMask).toEqual([...Array(19).fill(1), ...Array(24).fill(0), ...Array(19).fill(1), ...Array(18).fill(0)]);
    }
  });

  it('a prompt that fills the context is rejected by name', async () => {
    await expect(run(3)).rejects.toThrow("prompts[0] ('p0') has 3 tokens (expected < the policy's contextLength = 3");
  });
});

describe('determinism and bookkeeping', () => {
  it('same seed, policy and tools → byte-identical groups', async () => {
    const run = async () => {
      const { engine: e } = engine(searcher(2, 1), { ...exact, rollouts: 6, initialRollouts: 2 }, { seed: 5 });
      const { groups } = await e.run(PROMPTS);
      return JSON.stringify(groups);
    };
    expect(await run()).toBe(await run());
  });

  it('every group ends with exactly M and every trajectory is released', async () => {
    const { engine: e, policy } = engine(searcher(2, 1), { ...exact, rollouts: 7, initialRollouts: 3 }, { seed: 9 });
    const { groups } = await e.run(PROMPTS);
    expect(groups.map((g) => g.trajectories.length)).toEqual([7, 7]);
    expect(new Set(policy.released).size).toBe(14);
  });

  it('top-k entropy (reference): −Σ exp(lp)·lp over the candidates plus the sampled token, ÷ ln V', async () => {
    const { engine: e } = engine(searcher(1), { rollouts: 2, initialRollouts: 1 });
    const { groups } = await e.run([PROMPTS[0]!]);
    const seg = groups[0]!.trajectories[0]!.segments[0]!;
    // 19 positions, each with one candidate (the sampled token) at lp = −0.5: 19 · 0.5·e^{−0.5} / ln(65538).
    const expected = (19 * 0.5 * Math.exp(-0.5)) / Math.log(65538);
    expect(seg.kind === 'model' && seg.entropy).toBeCloseTo(expected, 12);
  });
});

describe('boundaries: what the policy and the tools return is checked', () => {
  /** A policy whose generations are bent by `corrupt` after the scripted ones are made. */
  function corrupted(corrupt: (g: Generation[]) => unknown): ScriptedPolicy {
    const policy = new ScriptedPolicy(searcher(1), promptLength);
    const generate = policy.generate.bind(policy);
    policy.generate = async (request) => corrupt(await generate(request)) as Generation[];
    return policy;
  }
  const run = (policy: ScriptedPolicy, tools: ToolExecutor | readonly Tool[] = new EchoTools()) =>
    new RolloutEngine({ policy, tools, config: { ...exact, mode: 'trajectory', rollouts: 2 }, now: () => 0 }).run([PROMPTS[0]!]);

  it('a logprobs array shorter than tokens is an error naming the generation (not padded with 0)', async () => {
    const policy = corrupted((gs) => gs.map((g, i) => (i === 1 ? { ...g, logprobs: g.logprobs.slice(0, 3) } : g)));
    await expect(run(policy)).rejects.toThrow(
      'Invalid policy.generate result: generations[1].logprobs.length = 3 (expected 19, one per token)',
    );
  });

  it('a token id >= vocabSize, a NaN log-prob or one generation too few are errors', async () => {
    const vocab = tok.vocabSize;
    await expect(run(corrupted((gs) => gs.map((g) => ({ ...g, tokens: [vocab, ...g.tokens.slice(1)] }))))).rejects.toThrow(
      `generations[0].tokens[0] = ${vocab} (expected an integer id in [0, vocabSize = ${vocab}))`,
    );
    await expect(run(corrupted((gs) => gs.map((g) => ({ ...g, logprobs: [Number.NaN, ...g.logprobs.slice(1)] }))))).rejects.toThrow(
      'generations[0].logprobs[0] = NaN (expected a finite log-probability <= 0)',
    );
    await expect(run(corrupted((gs) => gs.slice(1)))).rejects.toThrow('generations.length = 1 (expected 2, one generation per prefix)');
  });

  it('an executor that returns no record for a call is an error (results are not silently dropped)', async () => {
    const empty: ToolExecutor = { toolNames: ['search'], executeAll: async () => [] };
    await expect(run(new ScriptedPolicy(searcher(1), promptLength), empty)).rejects.toThrow(
      'Invalid tools.executeAll result: records.length = 0 (expected 2, one per call)',
    );
  });

  it('plain Tool[] work: run through the default executor with the config’s toolRetries', async () => {
    let calls = 0;
    // Empty the first time, an answer after: with toolRetries 0 the model sees the reference's empty-output text.
    const flaky: Tool = {
      specificationVersion: 'v1',
      name: 'search',
      execute: async (input) => ({ status: 'ok', text: calls++ % 2 === 0 ? '' : `R:${input}` }),
    };
    const outputs = async (toolRetries: number) => {
      calls = 0;
      const e = new RolloutEngine({
        policy: new ScriptedPolicy(searcher(1), promptLength),
        tools: [flaky],
        config: { ...exact, mode: 'trajectory', rollouts: 1, toolRetries },
        now: () => 0,
      });
      const { groups } = await e.run([PROMPTS[0]!]);
      return groups[0]!.trajectories[0]!.segments.filter((s) => s.kind === 'tool-result').map((s) => (s.kind === 'tool-result' ? [s.call.output, s.call.attempts] : null));
    };
    expect(await outputs(0)).toEqual([['Tool(search) returned empty output.', 1]]);
    expect(await outputs(1)).toEqual([['R:q0', 2]]);
  });

  it('a single Tool (not in an array) is rejected by name', () => {
    const tool: Tool = { specificationVersion: 'v1', name: 'search', execute: async () => ({ status: 'ok', text: 'x' }) };
    expect(() => new RolloutEngine({ policy: new ScriptedPolicy(searcher(1), promptLength), tools: tool as unknown as ToolExecutor })).toThrow(
      'Invalid RolloutEngine options: tools = {"specificationVersion":"v1","name":"search"} (expected a ToolExecutor or an array of Tools (this is a single Tool: pass [tool]))',
    );
  });
});
