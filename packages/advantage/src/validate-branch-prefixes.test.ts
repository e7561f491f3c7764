import { ArpoConfigError, ArpoError, type RolloutGroup, type Trajectory } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { BranchPrefixError } from './branch-prefix-error.js';
import { buildGroup } from './test-support/tree-fixtures.js';
import { validateBranchPrefixes } from './validate-branch-prefixes.js';

function tree(): RolloutGroup {
  return buildGroup(
    [
      { id: 'P', parts: [['m', 2], ['t', 2], ['m', 2]] },
      { id: 'C', parent: 'P', at: 4, parts: [['m', 2]] },
      { id: 'G', parent: 'C', at: 5, parts: [['m', 1]] },
    ],
    undefined,
    'q-17',
  );
}

function replace(group: RolloutGroup, index: number, patch: Partial<Trajectory>): RolloutGroup {
  return { ...group, trajectories: group.trajectories.map((t, i) => (i === index ? { ...t, ...patch } : t)) };
}

describe('validateBranchPrefixes', () => {
  it('accepts groups built by branching', () => {
    expect(() => validateBranchPrefixes(tree())).not.toThrow();
    expect(() => validateBranchPrefixes(buildGroup([{ id: 'only', parts: [] }]))).not.toThrow();
  });

  it('names the trajectory id and the first differing token position', () => {
    const group = tree();
    const tokens = [...group.trajectories[2]!.responseTokens];
    tokens[3] = 77; // inside G's shared prefix [0, 5)
    tokens[4] = 78;
    const bad = replace(group, 2, { responseTokens: tokens });
    let error: unknown;
    try {
      validateBranchPrefixes(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BranchPrefixError);
    expect(error).toBeInstanceOf(ArpoConfigError);
    expect(error).toBeInstanceOf(ArpoError);
    const e = error as BranchPrefixError;
    expect(e.name).toBe('BranchPrefixError');
    expect(e.trajectoryId).toBe('G');
    expect(e.parentId).toBe('C');
    expect(e.position).toBe(3);
    expect(e.array).toBe('responseTokens');
    expect(e.message).toBe(
      'Invalid rollout group "q-17": trajectory "G" (trajectories[2]) responseTokens[3] = 77 (expected 1003, the parent "C"\'s entry: ' +
        'a branch shares its parent\'s first branchPoint = 5 response tokens; position 3 is the first that differs)',
    );
  });

  it('checks the loss mask of the shared prefix too', () => {
    const group = tree();
    const bad = replace(group, 1, { lossMask: [1, 1, 1, 0, 1, 1] });
    expect(() => validateBranchPrefixes(bad)).toThrow(BranchPrefixError);
    expect(() => validateBranchPrefixes(bad)).toThrow('trajectory "C" (trajectories[1]) lossMask[2] = 1 (expected 0,');
  });

  it('tokens past the branch point may differ', () => {
    const group = tree();
    const tokens = [...group.trajectories[1]!.responseTokens];
    tokens[5] = 5; // C's own token, past G's fork at 5 as well
    expect(() => validateBranchPrefixes(replace(group, 1, { responseTokens: tokens }))).not.toThrow();
  });

  it('rejects broken links with ArpoConfigError', () => {
    const group = tree();
    expect(() => validateBranchPrefixes(replace(group, 1, { parentId: 'G' }))).toThrow(
      'trajectories[1] ("C").parentId = "G" (expected the id of an earlier trajectory of the group)',
    );
    expect(() => validateBranchPrefixes(replace(group, 1, { branchPoint: 9 }))).toThrow(
      'trajectories[1] ("C").branchPoint = 9 (expected at most 6 (the parent\'s response length is 6, this one\'s 6))',
    );
    expect(() => validateBranchPrefixes(replace(group, 1, { branchPoint: null }))).toThrow('expected an integer >= 0, as parentId is set');
    expect(() => validateBranchPrefixes(replace(group, 0, { branchPoint: 2 }))).toThrow('expected null, as parentId is null');
    expect(() => validateBranchPrefixes(replace(group, 2, { id: 'P' }))).toThrow('trajectories[2].id = "P" (expected an id unique within the group)');
  });
});
