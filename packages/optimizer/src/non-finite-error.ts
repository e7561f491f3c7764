import { ArpoError } from '@arpo/core';

/** Where in an update a non-finite value appeared. */
export interface NonFiniteLocation {
  /** PPO epoch (0-based). */
  epoch?: number;
  /** Mini-batch (optimizer step) within the epoch (0-based). */
  miniBatch?: number;
  /** Micro-batch within the mini-batch (0-based). */
  microBatch?: number;
}

/**
 * A NaN or ±Infinity in the loss, a gradient or an input log-prob. Thrown before any weight changes: the
 * optimizer checks each micro-batch before accumulating it and restores weights and optimizer state when
 * an earlier mini-batch of the same update had already stepped.
 */
export class NonFiniteError extends ArpoError {
  override name = 'NonFiniteError';

  constructor(
    /** What was not finite, e.g. `loss` or `gradient of llama/model.layers.0.mlp.up_proj.weight`. */
    readonly quantity: string,
    /** The offending value (NaN, Infinity or −Infinity). */
    readonly value: number,
    readonly location: NonFiniteLocation = {},
  ) {
    const at: string[] = [];
    if (location.microBatch !== undefined) at.push(`micro-batch ${location.microBatch}`);
    if (location.miniBatch !== undefined) at.push(`mini-batch ${location.miniBatch}`);
    if (location.epoch !== undefined) at.push(`epoch ${location.epoch}`);
    super(`${quantity} is ${value}${at.length ? ` in ${at.join(' of ')}` : ''}; the update was stopped and the weights are unchanged`);
  }
}
