import { ArpoConfigSchema, parseConfig } from '@arpo/core';
import { z } from 'zod';

const positiveInt = z.number().int().min(1);

/**
 * The model: a built-in size trained from scratch (with a tokenizer trained on the training data), or an HF
 * folder (`config.json`, `model.safetensors`, `tokenizer.json`) such as a checkpoint of an earlier run.
 */
export const ModelSectionSchema = z.strictObject({
  /** A built-in architecture for a model made from scratch: `demo` (fast on 2 cores), `tiny`, `small`. */
  preset: z.enum(['demo', 'tiny', 'small']).default('demo'),
  /** An HF model folder to load instead of a fresh model (`--model path`). */
  path: z.string().min(1).optional(),
  /** Overrides of the preset's HF config fields (e.g. `{ "hidden_size": 96 }`). */
  overrides: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  /** Size of the built-in tokenizer's vocabulary (from-scratch models only). */
  vocabSize: positiveInt.default(640),
  /** Words seen fewer times in the tokenizer's texts are spelled in characters. */
  minWordFrequency: positiveInt.default(30),
  /**
   * What the built-in tokenizer learns its words from: the SFT `demonstrations` (names never seen in training are
   * spelled in characters and must be copied character by character), or the search `corpus` plus the
   * demonstrations (the environment's documents, test entities included, give most names a word token of their own;
   * no test question or answer is trained on, so its rows stay untrained and must be copied as whole tokens).
   */
  tokenizerTexts: z.enum(['demonstrations', 'corpus']).default('demonstrations'),
  /** tfjs backend. */
  backend: z.enum(['auto', 'wasm', 'cpu', 'tensorflow']).default('auto'),
});

/** The built-in tasks (`@arpo/tasks`) or your own JSONL files. */
export const DataSectionSchema = z.strictObject({
  /** Seed of the generated tasks and corpus, kept apart from the run seed so runs with different seeds share data. */
  seed: z.number().int().min(0).default(0),
  /**
   * Built-in suites to train and evaluate on. `deep-search`: questions whose capital several countries share; one
   * search lists them, and each needs its own search to check the question's condition (2–4 searches).
   */
  suites: z.array(z.enum(['knowledge', 'compute', 'mixed', 'deep-search'])).min(1).default(['knowledge']),
  /** Examples generated per split and suite. */
  sizes: z.strictObject({ train: positiveInt.default(4000), validation: positiveInt.default(50), test: positiveInt.default(100) }).prefault({}),
  /** Share of invented entities in the training questions (forces copying from tool results). */
  syntheticShare: z.number().min(0).max(1).default(0.9),
  syntheticEntities: z.number().int().min(0).default(5000),
  /** WordNet distractor documents in the search corpus. */
  distractors: z.number().int().min(0).default(300),
  /** Only these question types (`meta.type`, e.g. `currency`, `capital`, `calling-code`); empty keeps all. */
  types: z.array(z.string().min(1)).default([]),
  /** Share of knowledge questions needing two searches. */
  multiHopShare: z.number().min(0).max(1).default(0),
  /** Deep-search: share of target countries with two decoys (three candidates) instead of one. */
  twoDecoyShare: z.number().min(0).max(1).default(0.67),
  /** Prompt format: `compact` (short, for tiny models) or the reference system prompt. */
  format: z.enum(['compact', 'reference']).default('compact'),
  /** Optional JSONL files (`{question, answer(s)}` or the reference's rows) replacing the built-in splits. */
  trainFile: z.string().min(1).optional(),
  testFile: z.string().min(1).optional(),
  /** Skip (and count) invalid dataset lines instead of failing on the first. */
  skipInvalid: z.boolean().default(false),
});

/** The tools the model can call. */
export const ToolsSectionSchema = z.strictObject({
  search: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Results shown per query (reference 10). */
      topK: positiveInt.default(2),
      /** Characters per result (reference 1000). */
      snippetChars: positiveInt.default(1000),
    })
    .prefault({}),
  python: z
    .strictObject({
      enabled: z.boolean().default(true),
      isolation: z.enum(['auto', 'subprocess', 'bubblewrap']).default('auto'),
    })
    .prefault({}),
  /** Parallel tool calls, per-call timeout and retries (reference 64, 120 s, 3). */
  concurrency: positiveInt.default(16),
  timeoutMs: positiveInt.default(30_000),
  retries: z.number().int().min(0).default(1),
});

/** Cold-start supervised fine-tuning on scripted demonstrations (spec §7.1). */
export const SftSectionSchema = z.strictObject({
  /** Optimizer steps (0 skips SFT). */
  steps: z.number().int().min(0).default(650),
  /** Demonstrations per step. */
  batchSize: positiveInt.default(16),
  /** Demonstrations made from the first training questions (a pool cycled through in seeded order). */
  demonstrations: positiveInt.default(4000),
  /** Share of imperfect demonstrations (wrong query, missing call) so RL has something to fix. */
  imperfectShare: z.number().min(0).max(1).default(0),
  /**
   * Which imperfections `imperfectShare` draws from (`missing-call` alone: answers from memory, without the tool;
   * `no-verify`, deep-search only: answers from the first candidate without checking the question's condition).
   */
  imperfectKinds: z.array(z.enum(['wrong-query', 'missing-call', 'no-verify'])).min(1).default(['wrong-query', 'missing-call']),
  learningRate: z.number().gt(0).default(3e-3),
  warmupRatio: z.number().min(0).max(1).default(0.03),
  schedule: z.enum(['constant', 'cosine']).default('cosine'),
  weightDecay: z.number().min(0).default(0.01),
  gradClip: z.number().min(0).default(1),
  /** Demonstrations per forward/backward pass; a batch of several micro-batches is spread over the gradient lanes (`workers`). */
  microBatchSize: positiveInt.default(8),
  /** Write a resumable checkpoint every n SFT steps (0: only when stopped). */
  checkpointEvery: z.number().int().min(0).default(100),
});

/** The RL stage. */
export const TrainSectionSchema = z.strictObject({
  /**
   * `arpo`: entropy-based adaptive rollout; `grpo`: trajectory-level rollout with the same M; `aepo`: ARPO with AEPO's
   * entropy pre-monitoring, consecutive-branch penalty, entropy-balanced clipping and entropy-aware advantage.
   */
  algorithm: z.enum(['arpo', 'grpo', 'aepo']).default('arpo'),
  /** RL steps (one rollout batch and one update each). */
  steps: z.number().int().min(0).default(10),
  /** Write a checkpoint every n steps (0: only at the end). */
  checkpointEvery: z.number().int().min(0).default(5),
  /** Keep the last n checkpoints (older ones are deleted). */
  keepCheckpoints: positiveInt.default(2),
  /** Save one decoded rollout group every n steps for the report's tree viewer (0: never). */
  sampleGroupsEvery: z.number().int().min(0).default(1),
});

/** Evaluation on held-out questions (greedy pass@1). */
export const EvalSectionSchema = z.strictObject({
  /** Questions per suite (from the test split). */
  examples: positiveInt.default(40),
  /** Also evaluate with every tool disabled (shows what the tools add). */
  toolsOff: z.boolean().default(true),
  /** Questions per suite for the tools-off evaluation. */
  toolsOffExamples: positiveInt.default(20),
  split: z.enum(['validation', 'test']).default('test'),
  maxNewTokens: positiveInt.default(96),
  batchSize: positiveInt.default(16),
});

/**
 * Everything a run needs. Defaults are the demo's (`arpo demo`): a small model from scratch on 2 cores; the
 * `arpo` section holds the algorithm's hyperparameters (M, N, Z, α, β, τ, k, losses, optimizer, reward) with
 * the reference defaults, overridden here only where a tiny model on a CPU needs it.
 */
export const TrainerConfigSchema = z.strictObject({
  /** Seed of every random choice (data, weights, sampling, branching). */
  seed: z.number().int().min(0).default(0),
  /**
   * Gradient lanes of SFT and RL updates: this thread plus worker threads holding replicas of the policy; micro-batches
   * are spread over them and summed in a fixed order, so results are identical for any value. `auto`: the available
   * cores (`os.availableParallelism()`) for a policy that can be replicated, else 1.
   */
  workers: z.union([z.literal('auto'), positiveInt]).default('auto'),
  model: ModelSectionSchema.prefault({}),
  data: DataSectionSchema.prefault({}),
  tools: ToolsSectionSchema.prefault({}),
  sft: SftSectionSchema.prefault({}),
  train: TrainSectionSchema.prefault({}),
  eval: EvalSectionSchema.prefault({}),
  /** The algorithm's hyperparameters (`@arpo/core`'s ArpoConfig without its seed). */
  arpo: ArpoConfigSchema.omit({ seed: true }).prefault({}),
});

/**
 * Where the trainer departs from the reference defaults of `arpo` for a tiny model on a CPU (M = 8 instead of 16,
 * short responses, 4 prompts per step, a larger learning rate). Merged under the user's config: any field the
 * user sets wins.
 */
export const TRAINER_ARPO_DEFAULTS = {
  rollout: { rollouts: 8, beamSize: 2, maxResponseTokens: 320, maxPromptTokens: 96, callLimit: 3, topLogprobs: 10 },
  optimizer: { learningRate: 2e-4, trainBatchSize: 4, miniBatchSize: 4, microBatchSize: 16 },
} as const;

export type TrainerConfig = z.output<typeof TrainerConfigSchema>;
export type TrainerConfigInput = z.input<typeof TrainerConfigSchema>;

/** Validates a config object; a bad one throws `ArpoConfigError` naming the field, the value and the expectation. */
export function parseTrainerConfig(input: unknown): TrainerConfig {
  const root = (input ?? {}) as Record<string, unknown>;
  const withDefaults = isPlainObject(root) ? { ...root, arpo: deepMerge(TRAINER_ARPO_DEFAULTS, root.arpo ?? {}) } : root;
  return parseConfig(TrainerConfigSchema, withDefaults, 'trainer config');
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `over` merged into `base` (objects recursively; arrays and scalars replaced). Neither input is modified. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}
