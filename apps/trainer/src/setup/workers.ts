import { availableParallelism } from 'node:os';
import { isReplicablePolicy, type TfjsTrainablePolicy } from '@arpo/optimizer';
import type { TrainerConfig } from '../config/trainer-config.js';

/** Gradient lanes for `config.workers`: `auto` = the available cores when the policy can be replicated, else 1. */
export function gradientLanes(workers: TrainerConfig['workers'], policy: TfjsTrainablePolicy): number {
  if (workers !== 'auto') return workers;
  return isReplicablePolicy(policy) ? Math.max(1, availableParallelism()) : 1;
}

/** One line for the log: how the updates use the cores. */
export function lanesLine(what: string, lanes: number): string {
  return lanes === 1 ? `${what}: 1 gradient lane (no worker threads)` : `${what}: ${lanes} gradient lanes (this thread + ${lanes - 1} worker thread${lanes > 2 ? 's' : ''})`;
}
