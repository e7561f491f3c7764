import {
  ArpoConfigError,
  createRng,
  parseArpoConfig,
  type ArpoConfig,
  type ArpoConfigInput,
  type Policy,
  type RewardFunction,
  type Tool,
  type ToolExecutor,
} from '@arpo/core';
import { EntropyTracker, type EntropyTrackerState } from '@arpo/entropy';
import {
  createParallelPolicy,
  PolicyOptimizer,
  type PolicyOptimizerState,
  type ReferencePolicy,
  type RowSplitPolicy,
  type TfjsTrainablePolicy,
} from '@arpo/optimizer';
import { arpoStep, type ArpoStepResult, type LoopPrompt } from './arpo-step.js';

/** Options of {@link ArpoLoop}. */
export interface ArpoLoopOptions {
  policy: TfjsTrainablePolicy;
  /** A `ToolExecutor` or plain `Tool`s. */
  tools: ToolExecutor | readonly Tool[];
  reward: RewardFunction;
  /** The algorithm's config (rollout, advantage, loss, optimizer; reference defaults); `seed` roots every RNG. */
  config?: ArpoConfigInput;
  /** `arpo` (entropy-based adaptive rollout) or `grpo` (M independent trajectories per prompt). Default `arpo`. */
  algorithm?: 'arpo' | 'grpo';
  /** Planned steps (needed by the cosine schedule and warm-up). */
  totalSteps?: number;
  /** The KL reference when `loss.klCoef` > 0. */
  referencePolicy?: ReferencePolicy;
  /**
   * Cores to use: this thread plus `workers − 1` replica workers (`@arpo/optimizer`'s `ReplicaPool`) for the update's
   * micro-batches and the rollouts' rows. Results are the same as with 1 (the default). Needs a replicable policy
   * (`TfjsPolicy`); `dispose()` stops the workers.
   */
  workers?: number;
}

/** What {@link ArpoLoop.exportState} returns: JSON-serialisable, enough to continue exactly. */
export interface ArpoLoopState {
  step: number;
  tracker: EntropyTrackerState;
  optimizer: PolicyOptimizerState;
}

/**
 * The ARPO step in a loop, as TRL's `GRPOTrainer` offers it: one optimizer and one entropy tracker for the run,
 * a fresh RNG per step derived from the seed and the step number (so a resumed loop repeats exactly what an
 * uninterrupted one does). Each {@link step} is one {@link arpoStep} on the prompts you pass; data order,
 * evaluation and checkpoint files are yours (the trainer app adds them).
 */
export class ArpoLoop {
  readonly config: ArpoConfig;
  readonly optimizer: PolicyOptimizer;
  readonly algorithm: 'arpo' | 'grpo';
  private tracker: EntropyTracker;
  private stepCount = 0;
  private parallel: Policy | undefined;

  constructor(private readonly options: ArpoLoopOptions) {
    this.config = parseArpoConfig(options.config ?? {});
    this.algorithm = options.algorithm ?? 'arpo';
    if (this.algorithm !== 'arpo' && this.algorithm !== 'grpo') {
      throw new ArpoConfigError('ArpoLoop options', [{ field: 'algorithm', value: this.algorithm, expected: "'arpo' or 'grpo'" }]);
    }
    const T = this.config.rollout.temperature;
    this.optimizer = new PolicyOptimizer(options.policy, {
      loss: this.config.loss,
      optimizer: this.config.optimizer,
      ...(options.totalSteps !== undefined ? { totalSteps: options.totalSteps } : {}),
      // The reference scores old, reference and current log-probs at the rollout temperature T.
      ...(T > 0 ? { scoreTemperature: T } : {}),
      ...(options.referencePolicy ? { referencePolicy: options.referencePolicy } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    });
    this.tracker = new EntropyTracker({ baselineReset: this.config.rollout.baselineReset });
  }

  /** Steps done so far. */
  get step(): number {
    return this.stepCount;
  }

  /** One ARPO (or GRPO) step on `prompts`: rollout → reward → advantages → update. */
  async run(prompts: readonly LoopPrompt[], options: { signal?: AbortSignal } = {}): Promise<ArpoStepResult> {
    const step = this.stepCount + 1;
    const rollout =
      this.algorithm === 'arpo'
        ? { ...this.config.rollout, mode: 'adaptive' as const }
        : { ...this.config.rollout, mode: 'trajectory' as const, initialRollouts: this.config.rollout.rollouts };
    const result = await arpoStep({
      policy: this.options.policy,
      ...(await this.rolloutPolicy()),
      optimizer: this.optimizer,
      tools: this.options.tools,
      reward: this.options.reward,
      prompts,
      rollout,
      advantage: this.config.advantage,
      rng: createRng(`${this.config.seed}/rollout/${step}`),
      tracker: this.tracker,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.stepCount = step;
    return result;
  }

  exportState(): ArpoLoopState {
    return { step: this.stepCount, tracker: this.tracker.getState(), optimizer: this.optimizer.exportState() };
  }

  /** Continues from {@link exportState} (the policy's weights are restored by the caller, e.g. from a checkpoint). */
  importState(state: ArpoLoopState): void {
    this.optimizer.importState(state.optimizer);
    this.tracker = EntropyTracker.fromState(state.tracker);
    this.stepCount = state.step;
  }

  /** `{ rolloutPolicy }` spreading the rollouts over the optimizer's workers, when it has some. */
  private async rolloutPolicy(): Promise<{ rolloutPolicy?: Policy }> {
    const pool = this.optimizer.replicaPool();
    if (!pool) return {};
    this.parallel ??= createParallelPolicy(this.options.policy as unknown as RowSplitPolicy, await pool);
    return { rolloutPolicy: this.parallel };
  }

  /** Frees the optimizer's state tensors and stops its workers. */
  dispose(): void {
    this.optimizer.dispose();
  }
}
