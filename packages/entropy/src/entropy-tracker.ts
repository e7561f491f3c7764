import type { RolloutConfig } from '@arpo/core';
import { ArpoConfigError, ArpoError } from '@arpo/core';
import { checkOneOf } from './checks.js';

/** Baseline lifetime: `persistent-slot` (reference) or `per-step` (paper). */
export type BaselineReset = RolloutConfig['baselineReset'];

/** The key of a trajectory: a slot index (a non-negative integer) in `persistent-slot` mode, any id in `per-step`. */
export type TrackerKey<M extends BaselineReset> = M extends 'persistent-slot' ? number : string | number;

/** What {@link EntropyTracker.observe} returns. */
export interface EntropyObservation {
  /** H_initial: the trajectory's (or slot's) first recorded segment entropy. */
  initial: number;
  /** H_t: the segment entropy just observed. */
  current: number;
  /** ΔH_t = H_t − H_initial (paper Eq. 4, reference `current − initial`); 0 at the first observation. */
  deltaH: number;
  /**
   * The step (count of {@link EntropyTracker.startStep} calls) in which `initial` was recorded. Below the
   * tracker's current step only in `persistent-slot` mode: the stale baseline of spec §2.3 item 3.
   */
  baselineStep: number;
}

/** Checkpointable state of an {@link EntropyTracker} (plain JSON). */
export interface EntropyTrackerState {
  version: 1;
  baselineReset: BaselineReset;
  /** Number of `startStep()` calls so far. */
  step: number;
  /** [key, H_initial, step recorded], in insertion order. */
  baselines: [key: string | number, initial: number, step: number][];
}

const SUBJECT = 'EntropyTracker options';

/**
 * Records each trajectory's initial entropy H_initial and returns ΔH = H_t − H_initial (paper Eq. 4) for its
 * later segments.
 *
 * - `per-step` (paper): keys are trajectory ids; {@link startStep} forgets every baseline, so each training
 *   step measures ΔH against the trajectory's own first segment.
 * - `persistent-slot` (reference, spec §2.3 item 3): keys are slot indices 0…B·M−1, reused every training
 *   step, and {@link startStep} forgets nothing. From the second step on, a slot's H_initial is whatever
 *   occupied that slot when it was first observed (in step 1, possibly a different prompt), so ΔH compares
 *   against a stale, unrelated baseline, and a trajectory's first segment no longer has ΔH = 0. The
 *   reference keeps this state per data-parallel worker; keep one tracker per worker to match it.
 */
export class EntropyTracker<M extends BaselineReset = BaselineReset> {
  readonly baselineReset: M;
  private step_ = 0;
  private readonly baselines = new Map<string | number, { initial: number; step: number }>();

  constructor(options: { baselineReset: M } | Pick<RolloutConfig, 'baselineReset'>) {
    checkOneOf(SUBJECT, 'baselineReset', options.baselineReset, ['persistent-slot', 'per-step']);
    this.baselineReset = options.baselineReset as M;
  }

  /** Restores a tracker from {@link getState}. */
  static fromState<M extends BaselineReset = BaselineReset>(state: EntropyTrackerState): EntropyTracker<M> {
    if (state.version !== 1 || !Number.isSafeInteger(state.step) || state.step < 0 || !Array.isArray(state.baselines)) {
      throw new ArpoError(`EntropyTracker.fromState: unsupported state (version ${String(state.version)}, step ${String(state.step)})`);
    }
    const tracker = new EntropyTracker<M>({ baselineReset: state.baselineReset as M });
    tracker.step_ = state.step;
    for (const [key, initial, step] of state.baselines) {
      tracker.checkKey(key);
      checkEntropy(key, initial);
      tracker.baselines.set(key, { initial, step });
    }
    return tracker;
  }

  /** Steps started so far (calls of {@link startStep}). */
  get step(): number {
    return this.step_;
  }

  /** Number of recorded baselines. */
  get size(): number {
    return this.baselines.size;
  }

  /**
   * Marks the start of a training step. `per-step`: forgets every baseline. `persistent-slot`: keeps them
   * (the reference's dictionary is never cleared); only the step counter moves.
   */
  startStep(): void {
    this.step_ += 1;
    if (this.baselineReset === 'per-step') this.baselines.clear();
  }

  /**
   * Records one segment entropy of `key`. The first observation of a key sets H_initial (ΔH = 0); later
   * ones return ΔH = current − initial without changing the baseline.
   *
   * @param key trajectory id (`per-step`) or slot index, a non-negative integer (`persistent-slot`).
   * @param segmentEntropy H_t from {@link segmentEntropy}; must be finite.
   */
  observe(key: TrackerKey<M>, segmentEntropy: number): EntropyObservation {
    this.checkKey(key);
    checkEntropy(key, segmentEntropy);
    let baseline = this.baselines.get(key);
    if (baseline === undefined) {
      baseline = { initial: segmentEntropy, step: this.step_ };
      this.baselines.set(key, baseline);
    }
    return {
      initial: baseline.initial,
      current: segmentEntropy,
      deltaH: segmentEntropy - baseline.initial,
      baselineStep: baseline.step,
    };
  }

  /** H_initial of `key`, or undefined when it has none. */
  initialEntropy(key: TrackerKey<M>): number | undefined {
    return this.baselines.get(key)?.initial;
  }

  /** A JSON-serialisable snapshot for checkpoints; {@link EntropyTracker.fromState} restores it. */
  getState(): EntropyTrackerState {
    return {
      version: 1,
      baselineReset: this.baselineReset,
      step: this.step_,
      baselines: [...this.baselines].map(([key, b]) => [key, b.initial, b.step]),
    };
  }

  private checkKey(key: string | number): void {
    if (this.baselineReset === 'persistent-slot') {
      if (!(typeof key === 'number' && Number.isSafeInteger(key) && key >= 0)) {
        throw new ArpoConfigError('EntropyTracker key', [
          { field: 'key', value: key, expected: "a slot index (an integer >= 0) in 'persistent-slot' mode" },
        ]);
      }
    } else if (!(typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key)))) {
      throw new ArpoConfigError('EntropyTracker key', [{ field: 'key', value: key, expected: 'a string or a finite number' }]);
    }
  }
}

function checkEntropy(key: string | number, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArpoError(`EntropyTracker: segment entropy of ${JSON.stringify(key)} = ${String(value)} (expected a finite number)`);
  }
}
