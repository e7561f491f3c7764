import type { RolloutConfigInput } from '@arpo/core';
import { EntropyTracker, registerBranchRule } from '@arpo/entropy';
import { CharTokenizer, EchoToolExecutor, ScriptedPolicy, type Script } from '@arpo/testing';
import { describe, expect, it } from 'vitest';
import { RolloutEngine } from './rollout-engine.js';
import { exact, searcher, seededTracker } from './test-support/scripts.js';

const tok = new CharTokenizer();
const PROMPTS = [
  { promptId: 'p0', promptTokens: tok.encode('Q0?') },
  { promptId: 'p1', promptTokens: tok.encode('Q1??') },
];
const promptLength = (id: string) => PROMPTS.find((p) => id.startsWith(`${p.promptId}/`))!.promptTokens.length;


// A rule that records the l it is given and decides from a script, so that the rounds are exact.
const seen: (number | undefined)[] = [];
const decisions: boolean[] = [];
registerBranchRule(
  'scripted-context-test',
  (_deltaH, _config, _rng, context) => {
    seen.push(context?.consecutiveBranches);
    const branch = decisions.shift();
    if (branch === undefined) throw new Error('no scripted decision left');
    return { branch, probability: branch ? 1 : 0 };
  },
  { replace: true },
);

describe('the per-prompt consecutive-branch counter l (AEPO consecutive_branches)', () => {
  it('counts rounds in a row with a new trajectory (branch or refill), resets others, and keeps still when a round adds nothing', async () => {
    // Two prompts, M = 5, N = 1, Z = 1; every trajectory makes two calls then answers (3 rounds from its start).
    //  round 1: p0/0 call 1 (l 0) → branch p0/1; p1/0 call 1 (l 0) → no.          l: p0 1, p1 0 (p1 got nothing: reset)
    //  round 2: p0/0, p0/1 call 2 (l 1, 1) → no; p1/0 call 2 (l 0) → no.          nothing new: l stays p0 1, p1 0
    //  round 3: all answer; refills p0/2, p1/1.                                     l: p0 2, p1 1
    //  round 4: p0/2 call 1 (l 2) → branch p0/3; p1/1 call 1 (l 1) → no.            l: p0 3, p1 0
    //  round 5: p0/2 call 2 (l 3) → branch p0/4 (p0 full, p0/3 gets no draw);
    //           p1/1 call 2 (l 0) → branch p1/2.                                   l: p0 4, p1 1
    //  round 6: all answer; refill p1/3 (p0 is full).                               l: p0 0, p1 2
    //  round 7: p1/3 call 1 (l 2) → no.                                             nothing new: l stays p1 2
    //  round 8: p1/3 call 2 (l 2) → no.   round 9: p1/3 answers; refill p1/4 (p1 full, no more draws); rounds 10–12.
    seen.length = 0;
    decisions.splice(0, decisions.length, true, false, false, false, false, true, false, true, true, false, false);
    const policy = new ScriptedPolicy(searcher(2), promptLength);
    const e = new RolloutEngine({
      policy,
      tools: new EchoToolExecutor(),
      config: { ...exact, rollouts: 5, initialRollouts: 1, branchRule: 'scripted-context-test' },
      now: () => 0,
    });
    const { groups, metrics } = await e.run(PROMPTS);
    expect(seen).toEqual([0, 0, 1, 1, 0, 2, 1, 3, 0, 2, 2]);
    expect(decisions).toEqual([]);
    expect(groups.map((g) => g.trajectories.map((t) => [t.id, t.origin, t.parentId]))).toEqual([
      [
        ['p0/0', 'global', null],
        ['p0/1', 'branch', 'p0/0'],
        ['p0/2', 'refill', null],
        ['p0/3', 'branch', 'p0/2'],
        ['p0/4', 'branch', 'p0/2'],
      ],
      [
        ['p1/0', 'global', null],
        ['p1/1', 'refill', null],
        ['p1/2', 'branch', 'p1/1'],
        ['p1/3', 'refill', null],
        ['p1/4', 'refill', null],
      ],
    ]);
    expect(metrics).toMatchObject({ rounds: 12, branches: 4, refills: 4, branchAttempts: 11 });
  });

  it('starts from 0 in every run (per rollout, not per engine)', async () => {
    seen.length = 0;
    decisions.splice(0, decisions.length, true, true);
    const e = new RolloutEngine({
      policy: new ScriptedPolicy(searcher(1), promptLength),
      tools: new EchoToolExecutor(),
      config: { ...exact, rollouts: 2, initialRollouts: 1, branchRule: 'scripted-context-test' },
      now: () => 0,
    });
    await e.run([PROMPTS[0]!]); // round 1: l 0 → branch, so l would be 1 next round
    await e.run([PROMPTS[0]!]);
    expect(seen).toEqual([0, 0]);
  });
});

describe("branchRule: 'consecutive-penalty' in the engine", () => {
  it('stops branching a prompt once λ·l reaches 1: the rest of the group comes from refills', async () => {
    // ΔH = +10 everywhere (stale baselines 0): score = clip((u + 2)·max(0, 1 − 0.5·l)) ≥ 0.5 whatever u while
    // l ≤ 1 (score ≥ 1), and is 0 from l = 2 on. Each trajectory calls 3 times, then answers.
    //  round 1: p0/0 (l 0) branches → p0/1.  round 2: p0/0, p0/1 (l 1) branch → p0/2, p0/3.
    //  round 3: four sources at l 2: P = 0, no branch; nothing new, l stays 2.  round 4: all answer; refill p0/4 (l 3).
    //  p0/4 needs 4 rounds (l 3: P = 0), then refill p0/5.
    const e = new RolloutEngine({
      policy: new ScriptedPolicy(searcher(3, 10), promptLength),
      tools: new EchoToolExecutor(),
      config: { ...exact, rollouts: 6, initialRollouts: 1, branchRule: 'consecutive-penalty', consecutivePenalty: 0.5 },
      tracker: seededTracker(6, 0),
      now: () => 0,
      seed: 4,
    });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    const g = groups[0]!;
    expect(g.trajectories.map((t) => [t.id, t.origin, t.parentId])).toEqual([
      ['p0/0', 'global', null],
      ['p0/1', 'branch', 'p0/0'],
      ['p0/2', 'branch', 'p0/0'],
      ['p0/3', 'branch', 'p0/1'],
      ['p0/4', 'refill', null],
      ['p0/5', 'refill', null],
    ]);
    // The reported probability is the rule's true rate given l: 1, 1, then 0 (l = 2, f = 0).
    const decided = g.trajectories[0]!.segments.flatMap((s) => (s.kind === 'model' && s.branch ? [[s.branch.probability, s.branch.children]] : []));
    expect(decided).toEqual([
      [1, ['p0/1']],
      [1, ['p0/2']],
      [0, []],
    ]);
    expect(metrics).toMatchObject({ branches: 3, refills: 2 });
  });

  it('with λ = 0 it keeps branching where the penalty stopped it', async () => {
    const e = new RolloutEngine({
      policy: new ScriptedPolicy(searcher(3, 10), promptLength),
      tools: new EchoToolExecutor(),
      config: { ...exact, rollouts: 6, initialRollouts: 1, branchRule: 'consecutive-penalty', consecutivePenalty: 0 },
      tracker: seededTracker(6, 0),
      now: () => 0,
      seed: 4,
    });
    const { groups, metrics } = await e.run([PROMPTS[0]!]);
    // Round 3: the four sources branch in index order until the budget (2 left) is spent.
    expect(groups[0]!.trajectories.map((t) => t.origin)).toEqual(['global', 'branch', 'branch', 'branch', 'branch', 'branch']);
    expect(metrics).toMatchObject({ branches: 5, refills: 0 });
  });
});
