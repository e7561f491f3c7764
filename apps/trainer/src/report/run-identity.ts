import type { Algorithm } from '../run-files.js';
import type { RunData } from './read-run.js';

/** Line colours of runs 0, 1, 2, … (colour-blind friendly, readable on light and dark backgrounds). */
export const RUN_COLORS = ['#2f6fdf', '#e0533d', '#2a9d5c', '#9b5de5', '#e09a1a', '#1aa3b8', '#c2457a', '#6b7a1f'] as const;

/** The colour of the `index`-th run. */
export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length] ?? '#888888';
}

/**
 * The RL algorithm of a run: from its training rows, else its sampled groups, else `config.algorithm` when that
 * is `arpo` or `grpo`; null for runs without RL (SFT or evaluation only).
 */
export function runAlgorithm(run: RunData): Algorithm | null {
  const fromRows = run.train[0]?.algorithm ?? run.groups[0]?.algorithm;
  if (fromRows) return fromRows;
  const config = run.config.config;
  if (config !== null && typeof config === 'object') {
    const a = (config as { algorithm?: unknown }).algorithm;
    if (a === 'arpo' || a === 'grpo') return a;
  }
  return null;
}

/**
 * Legend labels of the runs: `name (ARPO)`; a name used by several runs gets `#2`, `#3`, … so every label is
 * unique.
 */
export function runLabels(runs: RunData[]): string[] {
  const base = runs.map((run) => {
    const algorithm = runAlgorithm(run);
    return algorithm && !run.name.toLowerCase().includes(algorithm) ? `${run.name} (${algorithm.toUpperCase()})` : run.name;
  });
  const seen = new Map<string, number>();
  return base.map((label) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    const total = base.filter((b) => b === label).length;
    return total > 1 ? `${label} #${n}` : label;
  });
}
