import { ArpoError } from '@arpo/core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `arpo sft` config the checkpoint was trained with (`recipe.yaml` in this package; README: the model card).
 * Its `data` section decides which real countries are held out: evaluate and train RL with the same `data`
 * settings, or test questions may be about countries the model was trained on.
 */
export const DEMO_MODEL_RECIPE = {
  seed: 0,
  model: { preset: 'tiny', overrides: { num_hidden_layers: 6 } },
  data: { suites: ['knowledge'], multiHopShare: 0.4, sizes: { train: 12000, validation: 50, test: 240 } },
  sft: { steps: 4800, batchSize: 16, demonstrations: 12000, checkpointEvery: 200 },
} as const;

/** The trainer's `data` section of {@link DEMO_MODEL_RECIPE}: the tasks, splits and held-out countries. */
export const DEMO_MODEL_DATA = DEMO_MODEL_RECIPE.data;

/** The files of the checkpoint (Hugging Face layout). */
export const DEMO_MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;

/** SHA-256 of each shipped file (the model card's checkpoint, byte for byte). */
export const DEMO_MODEL_SHA256: Readonly<Record<(typeof DEMO_MODEL_FILES)[number], string>> = {
  'config.json': '1459e60adf50ebe7b2f47b824b1196712982589d745dab4182a8292edb8a139d',
  'model.safetensors': 'e3310c28e2c1a1fa78cea8b71db6ddb89ef8d8c1f9a751d7f1d49e4d57de0d4a',
  'tokenizer.json': 'eca3a6ed66b7fe94a3dbbe10ce172e123c150cdca9e3decdf4822ade3901407f',
};

/**
 * The absolute path of the checkpoint folder, for `TfjsPolicy.load(demoModelPath())` or
 * `arpo train --model <path>`. Reads nothing from the network.
 * @throws Error when the folder or one of its files is missing (a broken install).
 */
export function demoModelPath(): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'model');
  for (const f of DEMO_MODEL_FILES) {
    if (!existsSync(join(dir, f))) throw new ArpoError(`@arpo/demo-model: ${join(dir, f)} is missing (reinstall the package)`);
  }
  return dir;
}
