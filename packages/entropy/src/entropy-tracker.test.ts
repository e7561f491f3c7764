import { ArpoConfigError, ArpoError, parseRolloutConfig } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { EntropyTracker, type EntropyTrackerState } from './entropy-tracker.js';

describe('EntropyTracker', () => {
  it('sets the initial entropy at the first observation (ΔH = 0) and returns ΔH = H − H_initial after', () => {
    const tracker = new EntropyTracker({ baselineReset: 'per-step' });
    tracker.startStep();
    expect(tracker.observe('traj-a', 0.5)).toEqual({ initial: 0.5, current: 0.5, deltaH: 0, baselineStep: 1 });
    expect(tracker.observe('traj-a', 0.75)).toEqual({ initial: 0.5, current: 0.75, deltaH: 0.25, baselineStep: 1 });
    expect(tracker.observe('traj-a', 0.25)).toEqual({ initial: 0.5, current: 0.25, deltaH: -0.25, baselineStep: 1 });
    expect(tracker.observe('traj-b', 2)).toMatchObject({ initial: 2, deltaH: 0 });
    expect(tracker.initialEntropy('traj-a')).toBe(0.5);
    expect(tracker.initialEntropy('traj-c')).toBeUndefined();
    expect(tracker.size).toBe(2);
  });

  it('per-step: startStep() forgets every baseline', () => {
    const tracker = new EntropyTracker({ baselineReset: 'per-step' });
    tracker.startStep(); // step 1
    tracker.observe(0, 1.0);
    expect(tracker.observe(0, 1.5).deltaH).toBe(0.5);
    tracker.startStep(); // step 2: slot 0 now holds a different prompt
    expect(tracker.size).toBe(0);
    expect(tracker.observe(0, 3.0)).toEqual({ initial: 3, current: 3, deltaH: 0, baselineStep: 2 });
    expect(tracker.observe(0, 2.0).deltaH).toBe(-1);
  });

  it('persistent-slot (reference): the step-1 baseline survives into step 2 (stale baseline)', () => {
    const tracker = new EntropyTracker(parseRolloutConfig()); // default baselineReset: 'persistent-slot'
    expect(tracker.baselineReset).toBe('persistent-slot');
    tracker.startStep(); // step 1
    tracker.observe(0, 1.0);
    tracker.observe(1, 0.25);
    expect(tracker.observe(0, 1.5).deltaH).toBe(0.5);
    tracker.startStep(); // step 2: new prompts in slots 0 and 1, baselines kept
    expect(tracker.size).toBe(2);
    // The first segment of slot 0's new trajectory is compared with step 1's first segment: ΔH ≠ 0.
    expect(tracker.observe(0, 3.0)).toEqual({ initial: 1, current: 3, deltaH: 2, baselineStep: 1 });
    expect(tracker.observe(1, 0.125)).toEqual({ initial: 0.25, current: 0.125, deltaH: -0.125, baselineStep: 1 });
    // A slot first used in step 2 (a branch child's new index) records its own baseline.
    expect(tracker.observe(7, 0.5)).toEqual({ initial: 0.5, current: 0.5, deltaH: 0, baselineStep: 2 });
    expect(tracker.step).toBe(2);
  });

  it('persistent-slot keys are slot indices', () => {
    const tracker = new EntropyTracker({ baselineReset: 'persistent-slot' });
    // @ts-expect-error a string key is a type error in persistent-slot mode
    expect(() => tracker.observe('traj-a', 1)).toThrow(ArpoConfigError);
    expect(() => tracker.observe(-1, 1)).toThrow("key = -1 (expected a slot index (an integer >= 0) in 'persistent-slot' mode)");
    expect(() => tracker.observe(1.5, 1)).toThrow(ArpoConfigError);
  });

  it('rejects a non-finite segment entropy, naming the key', () => {
    const tracker = new EntropyTracker({ baselineReset: 'per-step' });
    expect(() => tracker.observe('t3', NaN)).toThrow(ArpoError);
    expect(() => tracker.observe('t3', NaN)).toThrow('segment entropy of "t3" = NaN');
    expect(tracker.size).toBe(0);
    expect(() => new EntropyTracker({ baselineReset: 'never' as 'per-step' })).toThrow(ArpoConfigError);
  });

  it('checkpoints through getState / fromState (JSON round trip)', () => {
    const tracker = new EntropyTracker({ baselineReset: 'persistent-slot' });
    tracker.startStep();
    tracker.observe(3, 0.4);
    tracker.observe(1, 0.9);
    tracker.startStep();
    tracker.observe(2, 0.1);
    const state: EntropyTrackerState = JSON.parse(JSON.stringify(tracker.getState()));
    expect(state).toEqual({
      version: 1,
      baselineReset: 'persistent-slot',
      step: 2,
      baselines: [
        [3, 0.4, 1],
        [1, 0.9, 1],
        [2, 0.1, 2],
      ],
    });
    const restored = EntropyTracker.fromState<'persistent-slot'>(state);
    expect(restored.step).toBe(2);
    expect(restored.observe(3, 0.5)).toEqual(tracker.observe(3, 0.5));
    expect(restored.getState()).toEqual(tracker.getState());
    expect(() => EntropyTracker.fromState({ ...state, version: 2 as 1 })).toThrow('unsupported state');
    expect(() => EntropyTracker.fromState({ ...state, baselines: [['a', 1, 1]] })).toThrow(ArpoConfigError);
  });
});
