import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ArpoConfigError } from '@arpo/core';
import { parse as parseYaml } from 'yaml';
import { deepMerge, isPlainObject, parseTrainerConfig, type TrainerConfig } from './trainer-config.js';

/** Reads a YAML or JSON config file; a syntax error names the file and the line. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ArpoConfigError(`config file ${path}`, [{ field: '(file)', value: path, expected: `a readable file (${(e as Error).message})` }]);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ArpoConfigError(`config file ${path}`, [{ field: '(syntax)', value: (e as Error).message.split('\n')[0], expected: 'valid YAML or JSON' }]);
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new ArpoConfigError(`config file ${path}`, [{ field: '(root)', value, expected: 'a mapping of config sections' }]);
  return value;
}

/**
 * Turns `a.b.c=value` assignments (`--set`) into a nested object. Values are read as YAML scalars, so `8` is a
 * number, `true` a boolean, `[1, 2]` a list and `knowledge` a string.
 */
export function parseAssignments(assignments: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const path = eq > 0 ? a.slice(0, eq).trim() : '';
    if (!path || path.split('.').some((p) => p === '')) {
      throw new ArpoConfigError('--set', [{ field: '--set', value: a, expected: 'path=value, e.g. arpo.rollout.rollouts=8' }]);
    }
    const raw = a.slice(eq + 1);
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    out = deepMerge(out, setPath(path.split('.'), value ?? raw)) as Record<string, unknown>;
  }
  return out;
}

function setPath(keys: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = keys;
  return { [head!]: rest.length ? setPath(rest, value) : value };
}

/** The layers of a resolved config, lowest priority first. */
export interface ConfigSources {
  /** Defaults of the command (e.g. `arpo compare`'s smaller evaluation). */
  base?: Record<string, unknown>;
  /** A YAML or JSON file (`--config`). */
  file?: string;
  /** Named flags turned into fields (e.g. `--steps 5` → `{ train: { steps: 5 } }`). */
  flags?: Record<string, unknown>;
  /** `--set path=value` assignments, applied last. */
  assignments?: readonly string[];
}

/** Merges the sources (later wins) and validates the result before any work starts. */
export function resolveConfig(sources: ConfigSources): TrainerConfig {
  let merged: unknown = sources.base ?? {};
  if (sources.file) merged = deepMerge(merged, readConfigFile(sources.file));
  if (sources.flags) merged = deepMerge(merged, sources.flags);
  if (sources.assignments?.length) merged = deepMerge(merged, parseAssignments(sources.assignments));
  return parseTrainerConfig(merged);
}
