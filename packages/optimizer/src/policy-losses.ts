import type * as tf from '@tensorflow/tfjs';
import { NamedRegistry, type POLICY_LOSSES } from '@arpo/core';
import type { Shape2D } from './checks.js';
import { clippedSurrogate, type ClipParams, type ClippedSurrogate } from './clipped-surrogate.js';
import { clippedSurrogateTensor, type ClippedSurrogateTensors } from './clipped-surrogate-tensor.js';
import { entropyBalancedSurrogate } from './entropy-balanced-clipping.js';
import { entropyBalancedSurrogateTensor } from './entropy-balanced-clipping-tensor.js';

/** The float64 inputs of a policy loss: aligned flat `[B, L]` arrays (row-major). */
export interface PolicyLossArrays {
  logprobs: ArrayLike<number>;
  oldLogprobs: ArrayLike<number>;
  /** A per token (already the entropy-aware Ã when `entropyAdvantageWeight` > 0). */
  advantages: ArrayLike<number>;
  /** Loss mask (for losses that need it, e.g. sequence-level ratios; the aggregation applies it anyway). */
  mask: ArrayLike<number>;
  shape: Shape2D;
}

/** The tensor inputs of a policy loss, all of shape `[b, L]`; `logprobs` is the differentiated one. */
export interface PolicyLossTensorArgs {
  logprobs: tf.Tensor;
  oldLogprobs: tf.Tensor;
  advantages: tf.Tensor;
  mask: tf.Tensor;
}

/**
 * What a policy loss gives on device: per-token losses and 0/1 float clip indicators (zeros if it has none), and the
 * log-ratio it computed, if any (the approx-KL metric reuses it; without it the caller computes log ρ itself).
 */
export type PolicyLossTensors = Pick<ClippedSurrogateTensors, 'losses' | 'low' | 'high' | 'dual'> & Partial<Pick<ClippedSurrogateTensors, 'logRatio'>>;

/**
 * A per-token policy loss L_pg, twice: `arrays` in float64 (the reference, used by `policyLoss`) and `tensors` on tfjs
 * (used in training by `policyLossTensor`, differentiable w.r.t. `logprobs`; call inside a tidy or gradient scope, the
 * caller owns the result), from the clip constants ε_low, ε_high, c of the loss config. The branch codes / indicators
 * feed the clip-fraction metrics. Register one with {@link registerPolicyLoss} and select it with
 * `arpo.loss.policyLoss` (verl's `register_policy_loss`). With replica workers, register it in `workerSetupModule` too.
 */
export interface PolicyLossRule {
  arrays(input: PolicyLossArrays, clip: ClipParams): ClippedSurrogate;
  tensors(input: PolicyLossTensorArgs, clip: ClipParams): PolicyLossTensors;
}

/**
 * The policy losses by name:
 * - `dual-clip` (ARPO reference; verl `compute_policy_loss`): L = max(−A·ρ, −A·clip(ρ, 1 − ε_low, 1 + ε_high)),
 *   min(·, −A·c) for A < 0 ({@link clippedSurrogate}).
 * - `entropy-balanced` (AEPO, arXiv 2510.14545): the same value, with the upper bound (1 + ε_high)·ρ/sg(ρ), so that
 *   clipped tokens with A > 0 keep the gradient −(1 + ε_high)·A·∇log πθ ({@link entropyBalancedSurrogate}); on every
 *   token, as AEPO's code (the paper speaks of high-entropy tokens).
 */
export const policyLosses = new NamedRegistry<PolicyLossRule>('policy loss function', 'arpo.loss.policyLoss', {
  'dual-clip': {
    arrays: (x, clip) => clippedSurrogate(x.logprobs, x.oldLogprobs, x.advantages, clip),
    tensors: (x, clip) => clippedSurrogateTensor(x.logprobs, x.oldLogprobs, x.advantages, clip),
  },
  'entropy-balanced': {
    arrays: (x, clip) => entropyBalancedSurrogate(x.logprobs, x.oldLogprobs, x.advantages, clip),
    tensors: (x, clip) => entropyBalancedSurrogateTensor(x.logprobs, x.oldLogprobs, x.advantages, clip),
  },
} satisfies Record<(typeof POLICY_LOSSES)[number], PolicyLossRule>);

/** Registers a policy loss under `name` (selected by `loss.policyLoss: name`). */
export function registerPolicyLoss(name: string, rule: PolicyLossRule, options?: { replace?: boolean }): void {
  policyLosses.register(name, rule, options);
}
