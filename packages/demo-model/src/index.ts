import { ArpoError } from '@arpo/core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stage 1: the `arpo sft` config of the tool-using base model (`recipe.yaml` in this package; README: the model card).
 * Its `data` section decides which real countries are held out: evaluate and train RL with the same `data`
 * settings, or test questions may be about countries the model was trained on.
 */
export const DEMO_MODEL_RECIPE = {
  seed: 0,
  model: { preset: 'tiny', overrides: { num_hidden_layers: 6 } },
  data: { suites: ['knowledge'], multiHopShare: 0.4, sizes: { train: 12000, validation: 50, test: 240 } },
  sft: { steps: 4800, batchSize: 16, microBatchSize: 16, demonstrations: 12000, checkpointEvery: 200 },
} as const;

/**
 * Stage 2: the `arpo sft` config that turned the stage-1 model into the shipped cold start (`cold-start.yaml`): 100
 * steps on demonstrations of which half answer from memory without searching (`missing-call`, a guess), so the
 * checkpoint plans a search only about half of the time and RL has a decision to learn.
 */
export const DEMO_MODEL_COLD_START = {
  seed: 0,
  data: DEMO_MODEL_RECIPE.data,
  sft: {
    steps: 100,
    batchSize: 16,
    microBatchSize: 16,
    demonstrations: 1600,
    imperfectShare: 0.5,
    imperfectKinds: ['missing-call'],
    learningRate: 5e-4,
    warmupRatio: 0.05,
    schedule: 'cosine',
    checkpointEvery: 25,
  },
  eval: { examples: 200, toolsOffExamples: 60 },
} as const;

/** The trainer's `data` section of {@link DEMO_MODEL_RECIPE}: the tasks, splits and held-out countries. */
export const DEMO_MODEL_DATA = DEMO_MODEL_RECIPE.data;

/** The files of the checkpoint (Hugging Face layout). */
export const DEMO_MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;

/** SHA-256 of each shipped file (the model card's checkpoint, byte for byte). */
export const DEMO_MODEL_SHA256: Readonly<Record<(typeof DEMO_MODEL_FILES)[number], string>> = {
  'config.json': '1449ec042f88dee159ccaa239e3724f7af155bfef90b0d7b5fdeebdc071a2a3a',
  'model.safetensors': '6e5e8c39b674d1276fbb7a488017210ed74f702c3c6ecc66d4990062946836b2',
  'tokenizer.json': 'eca3a6ed66b7fe94a3dbbe10ce172e123c150cdca9e3decdf4822ade3901407f',
};

/**
 * The deep-search cold start (`model-deep-search/`, recipe `deep-search.yaml`): the knowledge cold start with a
 * 768-position context, fine-tuned on deep-search demonstrations (a capital several countries share; check each
 * candidate with its own search), 30% of them imperfect. The `data` section decides the held-out countries (the
 * same as {@link DEMO_MODEL_DATA}'s: same seed and fractions).
 */
export const DEEP_SEARCH_MODEL_RECIPE = {
  seed: 0,
  data: { suites: ['deep-search'], syntheticShare: 1, sizes: { train: 8000, validation: 50, test: 240 } },
  tools: { search: { topK: 1 }, python: { enabled: false } },
  sft: {
    steps: 300,
    batchSize: 16,
    microBatchSize: 16,
    demonstrations: 6000,
    imperfectShare: 0.3,
    imperfectKinds: ['no-verify', 'missing-call'],
    learningRate: 2e-3,
    warmupRatio: 0.03,
    schedule: 'cosine',
    checkpointEvery: 50,
  },
  eval: { examples: 240, toolsOffExamples: 60, maxNewTokens: 560 },
  arpo: { rollout: { maxResponseTokens: 560, maxPromptTokens: 96, callLimit: 5 } },
} as const;

/** The trainer's `data` section of {@link DEEP_SEARCH_MODEL_RECIPE}. */
export const DEEP_SEARCH_MODEL_DATA = DEEP_SEARCH_MODEL_RECIPE.data;

/** SHA-256 of each file of the deep-search checkpoint. */
export const DEEP_SEARCH_MODEL_SHA256: Readonly<Record<(typeof DEMO_MODEL_FILES)[number], string>> = {
  'config.json': '5dbc065a5c510092de895e22c2667980c615f92ed9c5f72c0ca464416cbd2dde',
  'model.safetensors': '6f5c8e508c7d90608d5b79a77f9f080023f78302a825003cbb19194b64e1818d',
  'tokenizer.json': 'eca3a6ed66b7fe94a3dbbe10ce172e123c150cdca9e3decdf4822ade3901407f',
};

/** The absolute path of the deep-search checkpoint folder. @throws Error when a file is missing. */
export function deepSearchModelPath(): string {
  return checkpointPath('model-deep-search');
}

/**
 * The absolute path of the checkpoint folder, for `TfjsPolicy.load(demoModelPath())` or
 * `arpo train --model <path>`. Reads nothing from the network.
 * @throws Error when the folder or one of its files is missing (a broken install).
 */
export function demoModelPath(): string {
  return checkpointPath('model');
}

function checkpointPath(folder: string): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', folder);
  for (const f of DEMO_MODEL_FILES) {
    if (!existsSync(join(dir, f))) throw new ArpoError(`@arpo/demo-model: ${join(dir, f)} is missing (reinstall the package)`);
  }
  return dir;
}
