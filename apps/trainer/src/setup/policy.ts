import { ArpoConfigError } from '@arpo/core';
import { BuiltinTokenizer, TfjsPolicy } from '@arpo/policy-tfjs';
import type { TrainerConfig } from '../config/trainer-config.js';
import { MODEL_PRESETS } from './model-presets.js';

/**
 * The policy of a run: `model.path` loaded (any HF folder this package reads), or a fresh preset model with a
 * built-in tokenizer trained on `trainingTexts` (words rarer than `minWordFrequency` are spelled in characters,
 * so names never seen in training are copied character by character).
 */
export async function createRunPolicy(
  config: TrainerConfig,
  trainingTexts: () => Iterable<string>,
  log: (m: string) => void = () => {},
): Promise<TfjsPolicy> {
  const m = config.model;
  if (m.path) return TfjsPolicy.load(m.path, { backend: m.backend, seed: config.seed, log });
  const tokenizer = BuiltinTokenizer.train(trainingTexts(), { vocabSize: m.vocabSize, minFrequency: m.minWordFrequency });
  const preset = { ...MODEL_PRESETS[m.preset], ...m.overrides, vocab_size: tokenizer.vocabSize };
  try {
    return await TfjsPolicy.create(preset, { tokenizer, seed: config.seed, backend: m.backend, log, modelId: `arpo-${m.preset}` });
  } catch (e) {
    if (e instanceof ArpoConfigError) throw new ArpoConfigError('model config (model.preset + model.overrides)', e.problems);
    throw e;
  }
}
