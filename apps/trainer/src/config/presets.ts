import { DEEP_SEARCH_MODEL_RECIPE, DEMO_MODEL_DATA, deepSearchModelPath, demoModelPath } from '@arpo/demo-model';

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

/**
 * `arpo demo` and `arpo compare` (without `--from-scratch`): start from the shipped cold start of `@arpo/demo-model`
 * (no SFT), on the data it was trained with (so the held-out countries are the ones it never saw), evaluated on the
 * whole test split (240 held-out questions) with the tools and without.
 */
export function pretrainedDemoConfig(): Record<string, unknown> {
  return {
    model: { path: demoModelPath() },
    // The checkpoint's data (same corpus, same held-out countries), with RL prompts about the real training
    // countries: its answers from memory are guesses (the most common value), so searching is what pays.
    data: { ...DEMO_MODEL_DATA, syntheticShare: 0.01, sizes: { ...DEMO_MODEL_DATA.sizes, train: 1000 } },
    sft: { steps: 0 },
    eval: { examples: 240, toolsOffExamples: 240 },
    train: PRETRAINED_DEMO_TRAIN,
    arpo: PRETRAINED_DEMO_ARPO,
  };
}

/** The RL stage of the pretrained demo (measured in the trainer README). */
export const PRETRAINED_DEMO_TRAIN = { steps: 8 } as const;
export const PRETRAINED_DEMO_ARPO = {} as const;

/** `arpo compare`'s defaults on top of the demo's: more RL steps (the comparison is about the RL stage). */
export const COMPARE_CONFIG = {
  train: { steps: 20 },
} as const;

/**
 * The deep-search suite's settings for any start: one result per search (a shared capital's page lists every
 * candidate; a country's page is the one to check), no Python, room for four searches (responses up to 560 tokens,
 * evaluations too), at most five calls.
 */
export const DEEP_SEARCH_CONFIG = {
  // The checkpoint's data section as it is: the candidate order of a shared capital's page is drawn after every
  // split's questions, so another training size would reorder the held-out pages the model was evaluated on.
  data: DEEP_SEARCH_MODEL_RECIPE.data,
  tools: DEEP_SEARCH_MODEL_RECIPE.tools,
  eval: { maxNewTokens: DEEP_SEARCH_MODEL_RECIPE.eval.maxNewTokens },
  arpo: DEEP_SEARCH_MODEL_RECIPE.arpo,
} as const;

/**
 * `arpo compare --suite deep-search` (without `--from-scratch`): the deep-search cold start of `@arpo/demo-model` on
 * the data it was trained with, evaluated on 240 held-out questions with tools (60 without).
 */
export function pretrainedDeepSearchConfig(): Record<string, unknown> {
  return {
    ...DEEP_SEARCH_CONFIG,
    model: { path: deepSearchModelPath() },
    sft: { steps: 0 },
    eval: DEEP_SEARCH_MODEL_RECIPE.eval,
    train: PRETRAINED_DEMO_TRAIN,
  };
}
