import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArpoConfigError, type FieldProblem } from '@arpo/core';
import type { TrainerConfig } from '../config/trainer-config.js';

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/**
 * Checks every path the config names before any work starts (no index built, no run folder made): the model
 * folder holds `config.json`, the dataset files exist. Throws one {@link ArpoConfigError} naming each bad path.
 */
export function checkConfigPaths(config: TrainerConfig, command: string): void {
  const problems: FieldProblem[] = [];
  const model = config.model.path;
  if (model !== undefined) {
    if (!isDir(model)) problems.push({ field: 'model.path (--model)', value: model, expected: `an existing model folder (not found from ${resolve('.')})` });
    else if (!isFile(join(model, 'config.json'))) {
      problems.push({ field: 'model.path (--model)', value: model, expected: 'an HF model folder with config.json, model.safetensors and tokenizer.json' });
    }
  }
  for (const key of ['trainFile', 'testFile'] as const) {
    const file = config.data[key];
    if (file !== undefined && !isFile(file)) problems.push({ field: `data.${key}`, value: file, expected: `an existing JSONL file (not found from ${resolve('.')})` });
  }
  if (problems.length > 0) throw new ArpoConfigError(`arpo ${command}`, problems);
}
