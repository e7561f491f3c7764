import { ArpoConfigError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { softAttribution } from './soft-attribution.js';
import { buildGroup } from './test-support/tree-fixtures.js';

describe('softAttribution', () => {
  it('broadcasts A_i to every model token of trajectory i, 0 on tool-result tokens', () => {
    // P: m3 t2 m2 -> mask [1,1,1,0,0,1,1]; C branches at 5 (after the tool result) and adds m1 + injected EOS
    const group = buildGroup([
      { id: 'P', parts: [['m', 3], ['t', 2], ['m', 2]] },
      { id: 'C', parent: 'P', at: 5, parts: [['m', 1], ['eos']] },
    ]);
    const out = softAttribution(group, [1.5, -0.25]);
    expect(out.map((o) => o.id)).toEqual(['P', 'C']);
    expect(Array.from(out[0]!.advantages)).toEqual([1.5, 1.5, 1.5, 0, 0, 1.5, 1.5]);
    expect(Array.from(out[0]!.lossMask)).toEqual([1, 1, 1, 0, 0, 1, 1]);
    // the injected call-limit EOS has mask 1 and is trained on
    expect(Array.from(out[1]!.advantages)).toEqual([-0.25, -0.25, -0.25, 0, 0, -0.25, -0.25]);
    expect(Array.from(out[1]!.lossMask)).toEqual([1, 1, 1, 0, 0, 1, 1]);
    expect(out[1]!.advantages).toBeInstanceOf(Float32Array);
    expect(out[1]!.lossMask).toBeInstanceOf(Uint8Array);
  });

  it('stores float32 values and copies the loss mask', () => {
    const group = buildGroup([{ id: 'g', parts: [['m', 2]] }]);
    const out = softAttribution(group, [0.1]);
    expect(out[0]!.advantages[0]).toBe(Math.fround(0.1));
    out[0]!.lossMask[0] = 0;
    expect(group.trajectories[0]!.lossMask[0]).toBe(1);
  });

  it('handles empty responses', () => {
    const group = buildGroup([{ id: 'g', parts: [] }]);
    expect(softAttribution(group, [1])[0]!.advantages).toHaveLength(0);
  });

  it('rejects misaligned or non-finite advantages and bad loss masks', () => {
    const group = buildGroup([{ id: 'a', parts: [['m', 2]] }, { id: 'b', parts: [['m', 1]] }]);
    expect(() => softAttribution(group, [1])).toThrow('Invalid rollout group "p0": advantages = "1 values" (expected 2 values, one per trajectory)');
    expect(() => softAttribution(group, [1, Number.NaN])).toThrow('advantages[1] = NaN (expected a finite number)');
    const bad = { ...group, trajectories: [group.trajectories[0]!, { ...group.trajectories[1]!, lossMask: [1, 1] as (0 | 1)[] }] };
    expect(() => softAttribution(bad, [1, 0])).toThrow(ArpoConfigError);
    expect(() => softAttribution(bad, [1, 0])).toThrow('trajectories[1] ("b").lossMask = "2 entries" (expected 1 entries, one per response token)');
    const notBinary = { ...group, trajectories: [{ ...group.trajectories[0]!, lossMask: [1, 2] as unknown as (0 | 1)[] }, group.trajectories[1]!] };
    expect(() => softAttribution(notBinary, [1, 0])).toThrow('trajectories[0] ("a").lossMask[1] = 2 (expected 0 or 1)');
  });
});
