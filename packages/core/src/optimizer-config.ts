import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/** Optimisation of the policy (spec §5). Defaults: the reference reasoning script. */
export const OptimizerConfigSchema = z
  .strictObject({
    /** AdamW learning rate. Reference 1e-6. */
    learningRate: z.number().gt(0).default(1e-6),
    /** AdamW decoupled weight decay. Reference 0.01. */
    weightDecay: z.number().min(0).default(0.01),
    /** AdamW β1. */
    beta1: z.number().min(0).lt(1).default(0.9),
    /** AdamW β2. */
    beta2: z.number().min(0).lt(1).default(0.999),
    /** AdamW ε. */
    epsilon: z.number().gt(0).default(1e-8),
    /** Learning-rate schedule. Reference `constant`. */
    schedule: z.enum(['constant', 'cosine']).default('constant'),
    /** Share of the total updates spent in linear warm-up. Reference 0. */
    warmupRatio: z.number().min(0).max(1).default(0),
    /** Global gradient-norm clip. Reference 1.0; 0 disables. */
    gradClip: z.number().min(0).default(1),
    /** Prompts per training step. Reference 128. */
    trainBatchSize: z.number().int().min(1).default(128),
    /** Prompts per PPO mini-batch (one optimiser step each; × M sequences). Reference 16. */
    miniBatchSize: z.number().int().min(1).default(16),
    /** Sequences per micro-batch (gradient accumulation keeps memory bounded). */
    microBatchSize: z.number().int().min(1).default(4),
    /** Passes over each rollout batch. Reference 1. */
    ppoEpochs: z.number().int().min(1).default(1),
  })
  .superRefine((c, ctx) => {
    if (c.miniBatchSize > c.trainBatchSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['miniBatchSize'],
        input: c.miniBatchSize,
        message: `a number <= trainBatchSize (${c.trainBatchSize})`,
      });
    } else if (c.trainBatchSize % c.miniBatchSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['miniBatchSize'],
        input: c.miniBatchSize,
        message: `a divisor of trainBatchSize (${c.trainBatchSize})`,
      });
    }
  });

export type OptimizerConfig = z.output<typeof OptimizerConfigSchema>;
export type OptimizerConfigInput = z.input<typeof OptimizerConfigSchema>;

export function parseOptimizerConfig(input: unknown = {}): OptimizerConfig {
  return parseConfig(OptimizerConfigSchema, input, 'optimizer config');
}
