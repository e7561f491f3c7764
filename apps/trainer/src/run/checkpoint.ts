import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ArpoError } from '@arpo/core';
import type { EntropyTrackerState } from '@arpo/entropy';
import type { PolicyOptimizerState } from '@arpo/optimizer';
import { parseSafetensors, serializeSafetensors, toFloat32, type Float32Entry } from '@arpo/policy-tfjs';
import { writeFileAtomicSync } from '@arpo/tools';
import type { ToolCounts } from '../run-files.js';

/** File written last into a checkpoint folder: its presence marks the checkpoint complete. */
export const TRAINER_STATE_FILE = 'trainer-state.json';
/** AdamW moments m, v as safetensors (`m.{i}`, `v.{i}` in the order of the policy's trainable variables). */
export const OPTIMIZER_STATE_FILE = 'optimizer.safetensors';

const STEP_DIR = /^step-(\d{6,})$/;

/** Everything besides the weights that a resumed run needs to continue exactly. */
export interface TrainerState {
  formatVersion: 1;
  /** Phase the checkpoint belongs to. */
  phase: 'sft' | 'train';
  /** Steps of the phase completed. */
  step: number;
  /** Optimizer schedule position and AdamW step (moments live in optimizer.safetensors). */
  optimizer: { scheduleStep: number; adamStep: number };
  /** The persistent-slot entropy baselines (ARPO rollouts). */
  tracker: EntropyTrackerState | null;
  /** Cumulative counters the metrics continue from. */
  totals: { toolCalls: ToolCounts; tokens: number; elapsedMs: number };
  /** The algorithm and seed it was made with (a resume with others is refused). */
  algorithm: string;
  seed: number;
}

/** The folder name of a step's checkpoint. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** Something that can write its weights in the HF layout (a `TfjsPolicy`). */
export interface SavablePolicy {
  save(directory: string): Promise<void>;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems do not allow fsync on directories
  }
}

/**
 * Saves a checkpoint atomically: everything goes into a temporary sibling folder, `trainer-state.json` last, then
 * one rename makes it visible. A process killed before the rename leaves only a `.tmp-*` folder, which is never
 * loaded (and is removed by the next save). Keeps the newest `keep` checkpoints.
 */
export async function saveTrainerCheckpoint(
  checkpointsDir: string,
  parts: { policy: SavablePolicy; optimizer: PolicyOptimizerState; state: Omit<TrainerState, 'optimizer' | 'formatVersion'> },
  keep = 2,
): Promise<string> {
  mkdirSync(checkpointsDir, { recursive: true });
  const name = checkpointName(parts.state.step);
  const final = join(checkpointsDir, name);
  const tmp = join(checkpointsDir, `${name}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  await parts.policy.save(tmp);
  const tensors = new Map<string, Float32Entry>();
  parts.optimizer.adam.m.forEach((m, i) => tensors.set(`m.${i}`, { shape: [m.length], data: m }));
  parts.optimizer.adam.v.forEach((v, i) => tensors.set(`v.${i}`, { shape: [v.length], data: v }));
  writeFileAtomicSync(join(tmp, OPTIMIZER_STATE_FILE), serializeSafetensors(tensors, { format: 'arpo-adamw' }));
  const state: TrainerState = {
    formatVersion: 1,
    ...parts.state,
    optimizer: { scheduleStep: parts.optimizer.scheduleStep, adamStep: parts.optimizer.adam.step },
  };
  writeFileAtomicSync(join(tmp, TRAINER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  fsyncDir(tmp);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncDir(checkpointsDir);
  pruneCheckpoints(checkpointsDir, keep);
  return final;
}

/** Complete checkpoints (those with trainer-state.json), oldest first; leftover temporary folders are removed. */
export function listCheckpoints(checkpointsDir: string): Array<{ step: number; dir: string }> {
  if (!existsSync(checkpointsDir)) return [];
  const out: Array<{ step: number; dir: string }> = [];
  for (const entry of readdirSync(checkpointsDir)) {
    const dir = join(checkpointsDir, entry);
    if (entry.includes('.tmp-')) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const m = STEP_DIR.exec(entry);
    if (m && existsSync(join(dir, TRAINER_STATE_FILE))) out.push({ step: Number(m[1]), dir });
  }
  return out.sort((a, b) => a.step - b.step);
}

function pruneCheckpoints(checkpointsDir: string, keep: number): void {
  const all = listCheckpoints(checkpointsDir);
  for (const c of all.slice(0, Math.max(0, all.length - keep))) rmSync(c.dir, { recursive: true, force: true });
}

/** The newest complete checkpoint, or null. */
export function latestCheckpoint(checkpointsDir: string): { step: number; dir: string } | null {
  return listCheckpoints(checkpointsDir).at(-1) ?? null;
}

/** Reads a checkpoint's trainer state and optimizer moments (the weights are loaded with `TfjsPolicy.load(dir)`). */
export function readTrainerCheckpoint(dir: string): { state: TrainerState; optimizer: PolicyOptimizerState } {
  const statePath = join(dir, TRAINER_STATE_FILE);
  if (!existsSync(statePath)) throw new ArpoError(`${dir}: no ${TRAINER_STATE_FILE} (an incomplete checkpoint is never loaded)`);
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainerState;
  if (state.formatVersion !== 1) throw new ArpoError(`${statePath}: formatVersion ${String(state.formatVersion)} (expected 1)`);
  const { tensors } = parseSafetensors(readFileSync(join(dir, OPTIMIZER_STATE_FILE)), join(dir, OPTIMIZER_STATE_FILE));
  const count = [...tensors.keys()].filter((k) => k.startsWith('m.')).length;
  const get = (name: string): Float32Array => {
    const e = tensors.get(name);
    if (!e) throw new ArpoError(`${join(dir, OPTIMIZER_STATE_FILE)}: tensor ${name} missing`);
    return toFloat32(name, e);
  };
  const m = Array.from({ length: count }, (_, i) => get(`m.${i}`));
  const v = Array.from({ length: count }, (_, i) => get(`v.${i}`));
  return { state, optimizer: { scheduleStep: state.optimizer.scheduleStep, adam: { step: state.optimizer.adamStep, m, v } } };
}

/** Saves a final model folder (HF layout) atomically: a temporary sibling, then one rename. */
export async function saveModelAtomic(policy: SavablePolicy, dir: string): Promise<string> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await policy.save(tmp);
  fsyncDir(tmp);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
