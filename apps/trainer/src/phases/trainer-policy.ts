import type { ReferencePolicy, TfjsTrainablePolicy } from '@arpo/optimizer';

/**
 * What the trainer's phases need of a model: any tfjs `TrainablePolicy` (`@arpo/policy-tfjs`' `TfjsPolicy` or
 * your own). `frozenCopy` gives the KL reference when `loss.klCoef` > 0; `config.max_position_embeddings` lets
 * SFT drop demonstrations longer than the model's context.
 */
export type TrainerPolicy = TfjsTrainablePolicy & {
  frozenCopy?(): ReferencePolicy & { dispose?(): void };
  readonly config?: { readonly max_position_embeddings?: number };
};
