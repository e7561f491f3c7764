import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { RolloutGroupSchema } from './rollout-group.js';
import { TrajectorySchema, type Trajectory } from './trajectory.js';

function trajectory(overrides: Partial<Trajectory> = {}): Trajectory {
  return {
    id: 't0',
    promptId: 'p0',
    promptTokens: [1, 2],
    // model "<search>q</search>" (3 tokens), tool result (2 tokens), model answer + EOS (2 tokens)
    responseTokens: [10, 11, 12, 50, 51, 13, 0],
    lossMask: [1, 1, 1, 0, 0, 1, 1],
    segments: [
      { kind: 'model', start: 0, end: 3, finishReason: 'stop', stopString: '</search>' },
      {
        kind: 'tool-result',
        start: 3,
        end: 5,
        call: { tool: 'search', input: 'q', output: 'Page 1: x', status: 'ok', durationMs: 4, attempts: 1, cached: false },
      },
      { kind: 'model', start: 5, end: 7, finishReason: 'eos' },
    ],
    parentId: null,
    branchPoint: null,
    origin: 'global',
    toolCalls: 1,
    finishReason: 'eos',
    ...overrides,
  };
}

describe('TrajectorySchema', () => {
  it('accepts a well-formed trajectory', () => {
    expect(TrajectorySchema.parse(trajectory())).toEqual(trajectory());
  });

  it('rejects a loss mask of the wrong length, naming the field', () => {
    expect(() => parseConfig(TrajectorySchema, trajectory({ lossMask: [1, 1] }), 'trajectory')).toThrow(
      'Invalid trajectory: lossMask = 2 (expected 7 entries, one per response token)',
    );
  });

  it('rejects segments that do not tile the response', () => {
    const t = trajectory();
    t.segments[1] = { ...t.segments[1]!, start: 4 } as Trajectory['segments'][number];
    expect(() => parseConfig(TrajectorySchema, t, 'trajectory')).toThrow(/segments\.1 = \{"start":4,"end":5\}/);
  });

  it('requires branchPoint exactly when there is a parent', () => {
    expect(() => parseConfig(TrajectorySchema, trajectory({ parentId: 'x' }), 'trajectory')).toThrow(/branchPoint = null/);
  });

  it('rejects a mask value other than 0 or 1', () => {
    expect(() => parseConfig(TrajectorySchema, { ...trajectory(), lossMask: [1, 1, 1, 0, 0, 1, 2] }, 'trajectory')).toThrow(/lossMask\.6 = 2/);
  });
});

describe('RolloutGroupSchema', () => {
  const child = trajectory({ id: 't1', parentId: 't0', branchPoint: 5, origin: 'branch' });

  it('accepts a parent and a branch', () => {
    const group = { promptId: 'p0', promptTokens: [1, 2], trajectories: [trajectory(), child], rewards: [1, 0] };
    expect(RolloutGroupSchema.parse(group).trajectories).toHaveLength(2);
  });

  it('rejects a parent link to a later or unknown trajectory', () => {
    const group = { promptId: 'p0', promptTokens: [1, 2], trajectories: [child, trajectory()] };
    expect(() => parseConfig(RolloutGroupSchema, group, 'rollout group')).toThrow(
      /trajectories\.0\.parentId = "t0" \(expected the id of an earlier trajectory/,
    );
  });

  it('rejects duplicate ids, foreign prompt ids and misaligned rewards', () => {
    const group = {
      promptId: 'p0',
      promptTokens: [1, 2],
      trajectories: [trajectory(), trajectory(), trajectory({ id: 't9', promptId: 'p1' })],
      rewards: [1],
    };
    let message = '';
    try {
      parseConfig(RolloutGroupSchema, group, 'rollout group');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('trajectories.1.id = "t0" (expected an id unique within the group)');
    expect(message).toContain('trajectories.2.promptId = "p1" (expected "p0" (the group\'s promptId))');
    expect(message).toContain('rewards = 1 (expected 3 rewards, one per trajectory)');
  });

  it('rejects a branch point past the parent response', () => {
    const group = { promptId: 'p0', promptTokens: [1, 2], trajectories: [trajectory(), { ...child, branchPoint: 9 }] };
    expect(() => parseConfig(RolloutGroupSchema, group, 'rollout group')).toThrow(/branchPoint = 9 \(expected at most the parent's response length \(7\)\)/);
  });
});
