import { ArpoConfigError, RolloutGroupSchema, type RolloutConfigInput } from '@arpo/core';
import { CharTokenizer, EchoToolExecutor, ScriptedPolicy, type Script } from '@arpo/testing';
import { describe, expect, it } from 'vitest';
import { preMonitorRollouts } from './pre-monitor.js';
import { RolloutEngine } from './rollout-engine.js';

const tok = new CharTokenizer();
const PROMPTS = [
  { promptId: 'p0', promptTokens: tok.encode('Q0?') },
  { promptId: 'p1', promptTokens: tok.encode('Q1??') },
];
const promptLength = (id: string) => PROMPTS.find((p) => id.startsWith(`${p.promptId}/`))!.promptTokens.length;

describe('preMonitorRollouts: N_p = clamp(⌊M·σ(β_pm·(H_root − H̄_tool))⌋ + 1, 1, M)', () => {
  it('hand-computed values', () => {
    // σ(0.5·0.4) = σ(0.2) = 0.549834 → 8·0.549834 = 4.3987 → 4 + 1 = 5.
    expect(preMonitorRollouts(0.4, 0, 8, 0.5)).toBe(5);
    expect(preMonitorRollouts(1.4, 1, 8, 0.5)).toBe(5); // only the difference counts
    // Equal entropies: σ(0) = 0.5 → ⌊M/2⌋ + 1 (9 for M = 16, where ARPO's reference N is 8).
    expect(preMonitorRollouts(0.7, 0.7, 8, 0.5)).toBe(5);
    expect(preMonitorRollouts(0.7, 0.7, 16, 0.5)).toBe(9);
    // σ(0.5·−1) = σ(−0.5) = 0.377541 → 16·0.377541 = 6.0407 → 7.
    expect(preMonitorRollouts(0, 1, 16, 0.5)).toBe(7);
    // σ(0.5·6) = σ(3) = 0.952574 → 8·0.952574 = 7.6206 → 8 (= M, below the clamp).
    expect(preMonitorRollouts(6, 0, 8, 0.5)).toBe(8);
    // β_pm = 0: σ = 0.5 whatever the entropies; a negative β_pm reverses the direction.
    expect(preMonitorRollouts(5, 0, 8, 0)).toBe(5);
    expect(preMonitorRollouts(0, 0.4, 8, -0.5)).toBe(5);
  });

  it('the clamps: σ = 1 exactly gives M + 1 → M; σ = 0 gives 1; M = 1 always 1', () => {
    expect(preMonitorRollouts(100, 0, 8, 0.5)).toBe(8); // σ(50) = 1 in float64: ⌊8⌋ + 1 = 9 → clamped to M = 8
    expect(preMonitorRollouts(-2000, 0, 8, 0.5)).toBe(1); // σ(−1000) = 0: ⌊0⌋ + 1 = 1 (the lower clamp never binds)
    expect(preMonitorRollouts(0, 0, 1, 0.5)).toBe(1); // ⌊0.5⌋ + 1 = 1
    expect(preMonitorRollouts(100, 0, 1, 0.5)).toBe(1); // ⌊1⌋ + 1 = 2 → 1
  });

  it('rejects non-finite entropies, a bad M or β_pm, naming the argument', () => {
    expect(() => preMonitorRollouts(Number.NaN, 0, 8, 0.5)).toThrow(ArpoConfigError);
    expect(() => preMonitorRollouts(Number.NaN, 0, 8, 0.5)).toThrow('hRoot = NaN (expected a finite number)');
    expect(() => preMonitorRollouts(0, Number.POSITIVE_INFINITY, 8, 0.5)).toThrow('hTool = Infinity');
    expect(() => preMonitorRollouts(0, 0, 0, 0.5)).toThrow('M = 0 (expected an integer >= 1)');
    expect(() => preMonitorRollouts(0, 0, 8, Number.NaN)).toThrow('beta = NaN');
  });
});

/**
 * H_root samples, tool probes and main trajectories, told apart by sequence id. With `exact` below a segment's H is
 * the sum of its first two positions' entropies.
 * - p0: H_root sample 'thinking hard' cut at preMonitorTokens = 5 tokens, entropies 1.5 + 0.5 (+ 9s outside k = 2)
 *   → H_root = 2; its probe searches twice then answers: segment entropies 1 (0.5 + 0.5), 0.6, 0.2 → H̄_tool = 0.6.
 * - p1: H_root sample 'hmm' + EOS (4 tokens), 0.25 + 0.25 → H_root = 0.5; its probe answers at once, 1.0 + 0.3
 *   → H̄_tool = 1.3.
 * - main trajectories answer at once with EOS (19 tokens), so every prompt fills with refills, one per round.
 */
const script: Script = (response, { sequenceId }) => {
  if (sequenceId === 'p0/probe-root') return { text: 'thinking hard', finish: 'eos', entropies: [1.5, 0.5, 9, 9, 9] };
  if (sequenceId === 'p1/probe-root') return { text: 'hmm', finish: 'eos', entropies: [0.25, 0.25] };
  if (sequenceId === 'p0/probe') {
    const made = (response.match(/<\/search>/g) ?? []).length;
    const h = [
      [0.5, 0.5],
      [0.3, 0.3],
      [0.1, 0.1],
    ][made]!;
    return made < 2 ? { text: `<search>q${made}</search>`, finish: 'stop', entropies: h } : { text: '<answer>A</answer>', finish: 'eos', entropies: h };
  }
  if (sequenceId === 'p1/probe') return { text: '<answer>B</answer>', finish: 'eos', entropies: [1, 0.3] };
  return { text: '<answer>A</answer>', finish: 'eos', entropies: [1, 1] };
};

/** Exact-entropy config: H = the sum of the first two positions' entropies (full source, k = 2, no normalisation). */
const exact: RolloutConfigInput = { entropySource: 'full', entropyWindow: 2, entropyNormalization: 'none', topLogprobs: 0 };
const aepo: RolloutConfigInput = { ...exact, rollouts: 8, initialRollouts: 2, globalBudget: 'entropy-pre-monitoring', preMonitorTokens: 5 };

function engine(s: Script, config: RolloutConfigInput, seed = 1) {
  const policy = new ScriptedPolicy(s, promptLength);
  const tools = new EchoToolExecutor();
  return { policy, tools, engine: new RolloutEngine({ policy, tools, config, seed, now: () => 0 }) };
}

describe("globalBudget: 'entropy-pre-monitoring' in the engine", () => {
  it('N_p per prompt from H_root and H̄_tool (initialRollouts ignored); every group still exactly M', async () => {
    const { engine: e } = engine(script, aepo);
    const { groups, metrics } = await e.run(PROMPTS);
    // p0: σ(0.5·(2 − 0.6)) = σ(0.7) = 0.668188 → 8·0.668188 = 5.3455 → 6.
    // p1: σ(0.5·(0.5 − 1.3)) = σ(−0.4) = 0.401312 → 8·0.401312 = 3.2105 → 4.
    expect(metrics.preMonitor!.initialRollouts).toEqual([6, 4]);
    expect(metrics.preMonitor!.hRoot).toEqual([2, 0.5]);
    expect(metrics.preMonitor!.hTool[0]).toBeCloseTo(0.6, 15);
    expect(metrics.preMonitor!.hTool[1]).toBeCloseTo(1.3, 15);
    expect(groups.map((g) => g.trajectories.length)).toEqual([8, 8]);
    expect(groups[0]!.trajectories.map((t) => t.origin)).toEqual([...Array(6).fill('global'), 'refill', 'refill']);
    expect(groups[1]!.trajectories.map((t) => t.origin)).toEqual([...Array(4).fill('global'), ...Array(4).fill('refill')]);
    for (const g of groups) expect(RolloutGroupSchema.parse(g)).toBeTruthy();
  });

  it("the probes' tokens and tool calls count in the metrics, not in the groups", async () => {
    const { engine: e, tools } = engine(script, aepo);
    const { groups, metrics } = await e.run(PROMPTS);
    // p0: H_root 5 tokens + probe segments 19 ('<search>q0</search>') + 19 + 19 ('<answer>A</answer>' + EOS) = 62;
    // p1: 'hmm' + EOS = 4, probe 19 → 23. Tool results are not generated tokens.
    expect(metrics.preMonitor).toMatchObject({ probeTokens: [62, 23], probeToolCalls: [2, 0], rounds: 3 });
    expect(metrics.probeTokens).toBe(85);
    expect(metrics.probeToolCalls).toBe(2);
    // Main rollout: 16 trajectories × 19 tokens, no tool calls.
    expect(metrics.tokensGenerated).toBe(85 + 16 * 19);
    expect(metrics.toolCallsExecuted).toEqual({ search: 2 });
    expect(tools.rounds).toEqual([[{ tool: 'search', input: 'q0', trajectoryId: 'p0/probe' }], [{ tool: 'search', input: 'q1', trajectoryId: 'p0/probe' }]]);
    // p0 got 2 refills (rounds 1, 2), p1 4 (rounds 1–4); the last refill finishes in round 5.
    expect(metrics).toMatchObject({ refills: 6, branches: 0, rounds: 5, trajectories: 16, toolCallsInTrajectories: 0 });
    for (const g of groups) {
      expect(g.stats).toMatchObject({ toolCallsExecuted: 0, toolCallsInTrajectories: 0 });
      for (const t of g.trajectories) {
        expect(t.id).toMatch(/^p[01]\/\d+$/);
        expect(tok.decode(t.responseTokens)).toBe('<answer>A</answer></s>');
      }
    }
  });

  it('probes are batched round by round under their own sequence ids, and released', async () => {
    const { engine: e, policy } = engine(script, aepo);
    await e.run(PROMPTS);
    const cap = 4096;
    // Round 1: both H_root samples (cap preMonitorTokens = 5) and both probes; rounds 2–3: p0's probe alone.
    expect(policy.requests.slice(0, 3).map((r) => [r.sequenceIds, r.maxNewTokens])).toEqual([
      [['p0/probe-root', 'p1/probe-root', 'p0/probe', 'p1/probe'], [5, 5, cap, cap]],
      [['p0/probe'], [cap - 43]], // after '<search>q0</search>' (19) and ' <result>\nR:q0\n</result>' (24)
      [['p0/probe'], [cap - 86]],
    ]);
    expect(policy.requests[0]!.stop).toEqual(['</search>', '</python>']);
    expect(policy.requests[3]!.sequenceIds).toEqual(['p0/0', 'p0/1', 'p0/2', 'p0/3', 'p0/4', 'p0/5', 'p1/0', 'p1/1', 'p1/2', 'p1/3']);
    for (const id of ['p0/probe-root', 'p1/probe-root', 'p0/probe', 'p1/probe']) expect(policy.released).toContain(id);
    expect(policy.forks).toEqual([]);
  });

  it("a probe ends at the call limit (no call, no EOS) and at an empty call; H̄_tool = the mean of every segment's H", async () => {
    // Probe keeps searching: call 1 (H 1), call 2 hits callLimit 1 (H 3) → ends; H̄_tool = 2. H_root = 0.5 + 0.5 = 1.
    // σ(0.5·(1 − 2)) = σ(−0.5) = 0.377541 → 4·0.377541 = 1.51 → 2. An empty call (p1): one segment, H 0.5 + 0.5.
    const limited: Script = (response, { sequenceId }) => {
      if (sequenceId.endsWith('/probe-root')) return { text: 'xy', finish: 'eos', entropies: [0.5, 0.5] };
      if (sequenceId === 'p1/probe') return { text: '<search> </search>', finish: 'stop', entropies: [0.5, 0.5] };
      if (sequenceId === 'p0/probe') {
        const made = (response.match(/<\/search>/g) ?? []).length;
        return { text: `<search>q${made}</search>`, finish: 'stop', entropies: made === 0 ? [0.5, 0.5] : [1.5, 1.5] };
      }
      return { text: '<answer>A</answer>', finish: 'eos' };
    };
    const { engine: e, tools } = engine(limited, { ...exact, rollouts: 4, globalBudget: 'entropy-pre-monitoring', callLimit: 1 });
    const { metrics } = await e.run(PROMPTS);
    expect(metrics.preMonitor).toMatchObject({ hRoot: [1, 1], hTool: [2, 1], initialRollouts: [2, 3], probeToolCalls: [1, 0], rounds: 2 });
    // p1: σ(0) → ⌊2⌋ + 1 = 3. p0's probe: 19 + 19 tokens, the call-limited segment gets no EOS; p1's: 18.
    expect(metrics.preMonitor!.probeTokens).toEqual([3 + 38, 3 + 18]);
    expect(tools.rounds).toHaveLength(1);
    expect(metrics).toMatchObject({ callLimitHits: 0, emptyToolCalls: 0 }); // trajectory counters: probes are not trajectories
  });

  it("H_root uses the engine's segment entropy: reference top-k, k = 20 positions, ÷ ln V", async () => {
    // Default entropy settings: each scripted position has one candidate (the sampled token) at lp = −0.5.
    const { engine: e } = engine(script, { rollouts: 2, globalBudget: 'entropy-pre-monitoring', preMonitorTokens: 50 });
    const { metrics } = await e.run([PROMPTS[0]!]);
    const h = (n: number) => (n * 0.5 * Math.exp(-0.5)) / Math.log(65538);
    expect(metrics.preMonitor!.hRoot[0]).toBeCloseTo(h(14), 12); // 'thinking hard' + EOS: 14 tokens < 50
    expect(metrics.preMonitor!.hTool[0]).toBeCloseTo(h(19), 12); // three 19-token segments
  });

  it('branching still ends with exactly M per prompt, and the main rollout never sees a probe', async () => {
    const searcher: Script = (response, { sequenceId }) => {
      if (sequenceId.endsWith('/probe-root')) return { text: 'abc', finish: 'eos' };
      const made = (response.match(/<\/search>/g) ?? []).length;
      return made < 2 ? { text: `<search>q${made}</search>`, finish: 'stop' } : { text: '<answer>A</answer>', finish: 'eos' };
    };
    const { engine: e, policy } = engine(searcher, { ...exact, rollouts: 7, globalBudget: 'entropy-pre-monitoring' }, 9);
    const { groups, metrics } = await e.run(PROMPTS);
    expect(groups.map((g) => g.trajectories.length)).toEqual([7, 7]);
    for (const g of groups) {
      expect(RolloutGroupSchema.parse(g)).toBeTruthy();
      expect(g.trajectories.filter((t) => t.origin === 'global')).toHaveLength(metrics.preMonitor!.initialRollouts[groups.indexOf(g)]!);
    }
    const mainIds = policy.requests.slice(metrics.preMonitor!.rounds).flatMap((r) => r.sequenceIds ?? []);
    expect(mainIds.some((id) => id.includes('probe'))).toBe(false);
    expect(metrics.probeToolCalls).toBe(4); // each prompt's probe: two calls
  });
});

describe("globalBudget: 'fixed' (default)", () => {
  it('runs no probe and reports none', async () => {
    const { engine: e, policy } = engine(script, { ...exact, rollouts: 4, initialRollouts: 2 });
    const { groups, metrics } = await e.run(PROMPTS);
    expect(metrics).toMatchObject({ preMonitor: null, probeTokens: 0, probeToolCalls: 0 });
    expect(policy.requests[0]!.sequenceIds).toEqual(['p0/0', 'p0/1', 'p1/0', 'p1/1']);
    expect(groups.map((g) => g.trajectories.filter((t) => t.origin === 'global').length)).toEqual([2, 2]);
  });

  it('pre-monitoring in trajectory mode is a config error naming the field', () => {
    const policy = new ScriptedPolicy(script, promptLength);
    expect(() => new RolloutEngine({ policy, tools: new EchoToolExecutor(), config: { mode: 'trajectory', globalBudget: 'entropy-pre-monitoring' } })).toThrow(
      /rollout config: globalBudget = "entropy-pre-monitoring" \(expected 'fixed' in trajectory mode/,
    );
  });
});
