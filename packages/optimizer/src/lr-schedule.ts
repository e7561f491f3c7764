import { ArpoError, type OptimizerConfig } from '@arpo/core';

/** The optimizer-config fields a schedule reads. */
export type ScheduleConfig = Pick<OptimizerConfig, 'learningRate' | 'schedule' | 'warmupRatio'>;

/** W = ⌊warmupRatio · totalSteps⌋ (verl `num_warmup_steps = int(ratio · total_training_steps)`). */
export function warmupSteps(config: ScheduleConfig, totalSteps: number | undefined): number {
  if (config.warmupRatio === 0) return 0;
  if (totalSteps === undefined) throw new ArpoError(`learning-rate schedule: warmupRatio = ${config.warmupRatio} needs totalSteps`);
  return Math.floor(config.warmupRatio * totalSteps);
}

/**
 * The learning rate at schedule step s (0-based), as Hugging Face's `get_constant_schedule_with_warmup`
 * and `get_cosine_schedule_with_warmup` (used by verl and LLaMA-Factory), with W warm-up steps and
 * S = `totalSteps`:
 * - warm-up (s < W): lr · s / W (so the first step of a warm-up runs at 0, as in HF);
 * - `constant`: lr;
 * - `cosine`: lr · max(0, ½·(1 + cos(π·p))), p = (s − W) / max(1, S − W) (min-lr ratio 0; 0 from s ≥ S).
 */
export function learningRateAt(step: number, config: ScheduleConfig, totalSteps?: number): number {
  if (!Number.isInteger(step) || step < 0) throw new ArpoError(`learningRateAt: step = ${step} (expected an integer >= 0)`);
  if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps >= 1)) {
    throw new ArpoError(`learningRateAt: totalSteps = ${totalSteps} (expected an integer >= 1)`);
  }
  const lr = config.learningRate;
  const w = warmupSteps(config, totalSteps);
  if (step < w) return (lr * step) / Math.max(1, w);
  if (config.schedule === 'constant') return lr;
  if (totalSteps === undefined) throw new ArpoError('learning-rate schedule: cosine needs totalSteps');
  const progress = Math.min(1, (step - w) / Math.max(1, totalSteps - w));
  return lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
}
