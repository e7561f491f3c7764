/**
 * `--quick`: a few steps of everything on small data, for smoke tests and CI. It checks that the pipeline runs,
 * not that anything is learnt.
 */
export const QUICK_CONFIG = {
  data: { sizes: { train: 64, validation: 8, test: 8 }, syntheticEntities: 100, distractors: 50 },
  sft: { steps: 4, batchSize: 8, demonstrations: 32 },
  train: { steps: 2, checkpointEvery: 1, sampleGroupsEvery: 1 },
  eval: { examples: 4, toolsOffExamples: 2, maxNewTokens: 48 },
  arpo: { rollout: { rollouts: 4, maxResponseTokens: 96 }, optimizer: { trainBatchSize: 2, miniBatchSize: 2 } },
} as const;

/** `arpo compare`'s defaults on top of the demo's: more RL steps (the comparison is about the RL stage). */
export const COMPARE_CONFIG = {
  train: { steps: 20 },
} as const;
