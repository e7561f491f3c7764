import { z } from 'zod';
import type {
  EvalRow,
  RunConfigFile,
  RunSummaryFile,
  SampledGroupFile,
  SftRow,
  TrainRow,
} from '../run-files.js';

/*
 * zod schemas of the run-folder contract in `../run-files.ts`, used by the report to validate what it reads.
 * Unknown keys are dropped (a newer trainer may add fields); a missing or mistyped field is an error that names
 * the field, the value and what was expected. The type assertions at the bottom keep schemas and interfaces in step.
 */

const finite = z.number().finite();
const count = z.number().int().min(0);
const toolCounts = z.record(z.string(), finite);

/** Schema of a `config.json` (the `config` field itself is free-form). */
export const RunConfigFileSchema = z.object({
  formatVersion: z.literal(1),
  kind: z.enum(['sft', 'train', 'eval', 'demo']),
  name: z.string(),
  startedAt: z.string(),
  argv: z.array(z.string()),
  config: z.unknown(),
});

/** Schema of an SFT metrics row. */
export const SftRowSchema = z.object({
  type: z.literal('sft'),
  step: count,
  loss: finite,
  tokens: count,
  tokensPerSecond: finite,
  learningRate: finite,
  gradNorm: finite,
  elapsedMs: finite,
});

/** Schema of an RL training metrics row. */
export const TrainRowSchema = z.object({
  type: z.literal('train'),
  step: count,
  algorithm: z.enum(['arpo', 'grpo', 'aepo']),
  prompts: count,
  trajectories: count,
  rewardMean: finite,
  rewardStd: finite,
  flatGroupShare: finite.optional(),
  accuracy: finite,
  formatErrorRate: finite,
  toolCalls: toolCounts,
  toolCallsTotal: finite,
  branches: count,
  refills: count,
  initialEntropy: finite.nullable(),
  entropyAfterTool: finite.nullable(),
  deltaHAfterTool: finite.nullable(),
  entropyBySegment: z.array(finite.nullable()),
  loss: finite,
  kl: finite,
  clipFraction: finite,
  gradNorm: finite,
  learningRate: finite,
  tokensGenerated: count,
  probeTokens: count.optional(),
  probeToolCalls: count.optional(),
  initialRolloutsMean: finite.optional(),
  tokensPerSecond: finite,
  time: z.object({ rolloutMs: finite, rewardMs: finite, updateMs: finite, totalMs: finite }),
  elapsedMs: finite,
});

/** Schema of an evaluation metrics row. */
export const EvalRowSchema = z.object({
  type: z.literal('eval'),
  stage: z.enum(['initial', 'after-sft', 'before-rl', 'after-rl', 'final', 'standalone']),
  step: count,
  split: z.enum(['train', 'validation', 'test']),
  suite: z.string(),
  tools: z.enum(['on', 'off']),
  examples: count,
  accuracy: finite,
  interval95: z.tuple([finite, finite]).optional(),
  byType: z.record(z.string(), z.object({ examples: count, accuracy: finite })).optional(),
  finishReasons: z.record(z.string(), count).optional(),
  f1: finite,
  formatErrorRate: finite,
  toolCallsPerExample: toolCounts,
  tokensPerExample: finite,
  elapsedMs: finite,
});

/** The row schema for each `type` of a metrics line. */
export const METRICS_ROW_SCHEMAS = { sft: SftRowSchema, train: TrainRowSchema, eval: EvalRowSchema } as const;

const sampledSegment = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('model'),
    text: z.string(),
    tokens: count,
    entropy: finite.nullable(),
    deltaH: finite.nullable(),
    branch: z
      .object({ probability: finite, attempts: count, children: z.array(z.string()) })
      .nullable(),
  }),
  z.object({ kind: z.literal('tool-result'), text: z.string(), tokens: count, tool: z.string(), status: z.string() }),
  z.object({ kind: z.literal('injected'), text: z.string(), tokens: count, reason: z.string() }),
]);

const sampledTrajectory = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  branchPoint: count.nullable(),
  origin: z.enum(['global', 'branch', 'refill']),
  finishReason: z.string(),
  toolCalls: count,
  reward: finite,
  correct: z.boolean(),
  advantage: finite,
  segments: z.array(sampledSegment),
});

/** Schema of a `groups/step-NNNNNN.json` file. */
export const SampledGroupFileSchema = z.object({
  formatVersion: z.literal(1),
  step: count,
  algorithm: z.enum(['arpo', 'grpo', 'aepo']),
  promptId: z.string(),
  question: z.string(),
  gold: z.array(z.string()),
  prompt: z.string(),
  trajectories: z.array(sampledTrajectory),
});

/** Schema of a `summary.json`. */
export const RunSummaryFileSchema = z.object({
  formatVersion: z.literal(1),
  kind: z.enum(['sft', 'train', 'eval', 'demo']),
  status: z.enum(['completed', 'interrupted', 'failed']),
  steps: count,
  wallMs: finite,
  trainToolCalls: toolCounts,
  trainTokens: finite,
  evaluations: z.array(EvalRowSchema),
  lastCheckpoint: z.string().nullable(),
});

// Compile-time checks: each schema's output is exactly the contract's interface (no runtime code).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type SchemasMatchContract = [
  Assert<Same<z.output<typeof RunConfigFileSchema>, RunConfigFile>>,
  Assert<Same<z.output<typeof SftRowSchema>, SftRow>>,
  Assert<Same<z.output<typeof TrainRowSchema>, TrainRow>>,
  Assert<Same<z.output<typeof EvalRowSchema>, EvalRow>>,
  Assert<Same<z.output<typeof SampledGroupFileSchema>, SampledGroupFile>>,
  Assert<Same<z.output<typeof RunSummaryFileSchema>, RunSummaryFile>>,
];
