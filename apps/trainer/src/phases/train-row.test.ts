import type { RolloutGroup, Trajectory } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { entropyBySegment, flatGroupShare } from './train-row.js';

const call = { tool: 'search', input: 'q', output: 'r', status: 'ok' as const, durationMs: 1, attempts: 1, cached: false };

function traj(id: string, parts: Array<['m', number, number?] | ['t', number]>, parentId: string | null = null, branchPoint: number | null = null): Trajectory {
  let at = 0;
  const segments: Trajectory['segments'] = parts.map((p) => {
    const start = at;
    at += p[1];
    return p[0] === 'm'
      ? { kind: 'model' as const, start, end: at, finishReason: 'stop' as const, ...(p[2] !== undefined ? { entropy: p[2] } : {}) }
      : { kind: 'tool-result' as const, start, end: at, call };
  });
  return {
    id,
    promptId: 'p',
    promptTokens: [1],
    responseTokens: new Array(at).fill(5),
    lossMask: new Array(at).fill(1),
    segments,
    parentId,
    branchPoint,
    origin: parentId ? 'branch' : 'global',
    toolCalls: 0,
    finishReason: 'eos',
  };
}

describe('entropyBySegment', () => {
  it('averages by position after tool results, counting a branch only past its branch point', () => {
    const a = traj('a', [['m', 3, 0.4], ['t', 2], ['m', 2, 0.8], ['t', 2], ['m', 1, 0.2]]);
    // b copies a's first 5 tokens (segment 0 and the first result) and then writes its own segment
    const b = traj('b', [['m', 3, 0.4], ['t', 2], ['m', 4, 0.6]], 'a', 5);
    const c = traj('c', [['m', 2, 0.1], ['m', 1]]);
    const group: RolloutGroup = { promptId: 'p', promptTokens: [1], trajectories: [a, b, c] };
    const h = entropyBySegment([group]);
    // position 0: a 0.4, c 0.1 (b's copy skipped) → 0.25; position 1: a 0.8, b 0.6 → 0.7; position 2: a 0.2
    expect(h).toHaveLength(3);
    expect(h[0]).toBeCloseTo(0.25, 12);
    expect(h[1]).toBeCloseTo(0.7, 12);
    expect(h[2]).toBeCloseTo(0.2, 12);
  });
});

describe('flatGroupShare', () => {
  it('counts the groups whose rewards are all equal', () => {
    // groups: all 1 (flat), mixed, all −1 (flat), single trajectory (flat) → 3 of 4
    expect(flatGroupShare([{ rewards: [1, 1, 1] }, { rewards: [1, 0, 1] }, { rewards: [-1, -1] }, { rewards: [0.5] }])).toBe(0.75);
    expect(flatGroupShare([])).toBe(0);
  });
});
