/*
 * Test support (not exported by the package): hand-written run folders for the report tests, and how to find a
 * Chromium binary for the browser tests.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  EvalRow,
  MetricsRow,
  RunConfigFile,
  RunSummaryFile,
  SampledGroupFile,
  SftRow,
  TrainRow,
} from '../run-files.js';

/** Text planted in a model segment: it must render as text and never run. */
export const INJECTED_SCRIPT = '<script>window.__pwned = 1;</script><img src=x onerror="window.__pwned = 2">';

/** A training row with defaults; `over` replaces fields. */
export function trainRow(step: number, over: Partial<TrainRow> = {}): TrainRow {
  return {
    type: 'train',
    step,
    algorithm: 'arpo',
    prompts: 2,
    trajectories: 8,
    rewardMean: 0.1 * step,
    rewardStd: 0.05,
    accuracy: 0.125 * step,
    formatErrorRate: 0,
    toolCalls: { search: 6 + step },
    toolCallsTotal: 6 + step,
    branches: 2,
    refills: 0,
    initialEntropy: 0.4,
    entropyAfterTool: 0.55,
    deltaHAfterTool: 0.15,
    entropyBySegment: [0.4, 0.6, 0.5],
    loss: 0.3,
    kl: 0.01,
    clipFraction: 0.02,
    gradNorm: 1.1,
    learningRate: 1e-5,
    tokensGenerated: 1000 + step,
    tokensPerSecond: 50,
    time: { rolloutMs: 1000, rewardMs: 10, updateMs: 500, totalMs: 1510 },
    elapsedMs: 1510 * step,
    ...over,
  };
}

/** An evaluation row with defaults; `over` replaces fields. */
export function evalRow(over: Partial<EvalRow> & Pick<EvalRow, 'stage' | 'suite' | 'tools' | 'accuracy'>): EvalRow {
  return {
    type: 'eval',
    step: 0,
    split: 'test',
    examples: 40,
    f1: over.accuracy,
    formatErrorRate: 0,
    toolCallsPerExample: over.tools === 'on' ? { search: 1.5 } : {},
    tokensPerExample: 80,
    elapsedMs: 2000,
    ...over,
  };
}

function sftRow(step: number, loss: number): SftRow {
  return { type: 'sft', step, loss, tokens: 512, tokensPerSecond: 900, learningRate: 3e-4, gradNorm: 2, elapsedMs: 700 * step };
}

/** The ARPO fixture's sampled group at step 2: two global samples, a branch of t0 and a branch of that branch. */
export function branchedGroup(): SampledGroupFile {
  return {
    formatVersion: 1,
    step: 2,
    algorithm: 'arpo',
    promptId: 'q-17',
    question: 'Who founded Zorblat Industries?',
    gold: ['Mira Quell'],
    prompt: 'Answer with tools. <search>query</search>',
    trajectories: [
      {
        id: 't0',
        parentId: null,
        branchPoint: null,
        origin: 'global',
        finishReason: 'answer',
        toolCalls: 1,
        reward: 0.1,
        correct: false,
        advantage: -0.8,
        segments: [
          {
            kind: 'model',
            text: 'I should search. <search>Zorblat Industries founder</search>',
            tokens: 12,
            entropy: 0.4,
            deltaH: 0,
            branch: null,
          },
          { kind: 'tool-result', text: '<result>Zorblat Industries was founded by Mira Quell.</result>', tokens: 14, tool: 'search', status: 'ok' },
          {
            kind: 'model',
            text: `The answer is \\boxed{Ann} ${INJECTED_SCRIPT}`,
            tokens: 10,
            entropy: 0.9,
            deltaH: 0.5,
            branch: { probability: 0.7, attempts: 1, children: ['t2'] },
          },
        ],
      },
      {
        id: 't1',
        parentId: null,
        branchPoint: null,
        origin: 'global',
        finishReason: 'answer',
        toolCalls: 0,
        reward: 0,
        correct: false,
        advantage: -1,
        segments: [{ kind: 'model', text: 'No idea. \\boxed{Bob}', tokens: 8, entropy: 0.5, deltaH: 0, branch: null }],
      },
      {
        id: 't2',
        parentId: 't0',
        branchPoint: 26,
        origin: 'branch',
        finishReason: 'answer',
        toolCalls: 2,
        reward: 1.1,
        correct: true,
        advantage: 1.2,
        segments: [
          { kind: 'model', text: 'I should search. <search>Zorblat Industries founder</search>', tokens: 12, entropy: 0.4, deltaH: 0, branch: null },
          { kind: 'tool-result', text: '<result>Zorblat Industries was founded by Mira Quell.</result>', tokens: 14, tool: 'search', status: 'ok' },
          {
            kind: 'model',
            text: 'Let me check once more. <search>Mira Quell</search>',
            tokens: 9,
            entropy: 1.0,
            deltaH: 0.6,
            branch: { probability: 0.62, attempts: 1, children: ['t3'] },
          },
          { kind: 'tool-result', text: '<result>Mira Quell, founder of Zorblat.</result>', tokens: 9, tool: 'search', status: 'ok' },
          { kind: 'model', text: 'The answer is \\boxed{Mira Quell}', tokens: 8, entropy: 0.3, deltaH: -0.1, branch: null },
        ],
      },
      {
        id: 't3',
        parentId: 't2',
        branchPoint: 44,
        origin: 'branch',
        finishReason: 'answer',
        toolCalls: 2,
        reward: 1.1,
        correct: true,
        advantage: 1.2,
        segments: [
          { kind: 'model', text: 'I should search. <search>Zorblat Industries founder</search>', tokens: 12, entropy: 0.4, deltaH: 0, branch: null },
          { kind: 'tool-result', text: '<result>Zorblat Industries was founded by Mira Quell.</result>', tokens: 14, tool: 'search', status: 'ok' },
          { kind: 'model', text: 'Let me check once more. <search>Mira Quell</search>', tokens: 9, entropy: 1.0, deltaH: 0.6, branch: null },
          { kind: 'tool-result', text: '<result>Mira Quell, founder of Zorblat.</result>', tokens: 9, tool: 'search', status: 'ok' },
          { kind: 'model', text: 'So: \\boxed{Mira Quell}', tokens: 6, entropy: 0.2, deltaH: -0.2, branch: null },
        ],
      },
    ],
  };
}

/** A GRPO group (trajectory-level sampling: no branches). */
export function flatGroup(step: number): SampledGroupFile {
  return {
    formatVersion: 1,
    step,
    algorithm: 'grpo',
    promptId: `q-${step}`,
    question: `Question of step ${step}?`,
    gold: ['42'],
    prompt: 'p',
    trajectories: ['a', 'b', 'c'].map((id, i) => ({
      id,
      parentId: null,
      branchPoint: null,
      origin: 'global' as const,
      finishReason: 'answer',
      toolCalls: 1,
      reward: i === 0 ? 1 : 0,
      correct: i === 0,
      advantage: i === 0 ? 1.4 : -0.7,
      segments: [
        { kind: 'model' as const, text: `<search>q${i}</search>`, tokens: 5, entropy: 0.3, deltaH: 0, branch: null },
        { kind: 'tool-result' as const, text: '<result>r</result>', tokens: 4, tool: 'search', status: 'ok' },
        { kind: 'model' as const, text: `\\boxed{${40 + i}}`, tokens: 4, entropy: 0.5, deltaH: 0.2, branch: null },
      ],
    })),
  };
}

/** What {@link writeFixtureRuns} wrote, for the tests to compare against. */
export interface FixtureRuns {
  arpoDir: string;
  grpoDir: string;
  arpo: { sft: SftRow[]; train: TrainRow[]; evals: EvalRow[]; summary: RunSummaryFile; groups: SampledGroupFile[] };
  grpo: { train: TrainRow[]; evals: EvalRow[]; groups: SampledGroupFile[] };
}

/**
 * Writes two run folders under `root`: `arpo` (SFT, 4 RL steps, before/after-RL evaluations, summary.json, a
 * branched group with an injected `<script>`) and `grpo` (4 RL steps, evaluations, no summary yet, flat groups).
 */
export async function writeFixtureRuns(root: string): Promise<FixtureRuns> {
  const arpoSft = [sftRow(1, 2.5), sftRow(2, 1.75), sftRow(3, 1.25)];
  const arpoTrain = [1, 2, 3, 4].map((s) => trainRow(s, s === 3 ? { initialEntropy: null, entropyAfterTool: null, deltaHAfterTool: null } : {}));
  const arpoEvals = [
    evalRow({ stage: 'before-rl', suite: 'entities', tools: 'on', accuracy: 0.5 }),
    evalRow({ stage: 'before-rl', suite: 'entities', tools: 'off', accuracy: 0.025 }),
    evalRow({ stage: 'before-rl', suite: 'math', tools: 'on', accuracy: 0.3, examples: 20 }),
    evalRow({ stage: 'after-rl', step: 4, suite: 'entities', tools: 'on', accuracy: 0.625 }),
    evalRow({ stage: 'after-rl', step: 4, suite: 'entities', tools: 'off', accuracy: 0.05 }),
    evalRow({ stage: 'after-rl', step: 4, suite: 'math', tools: 'on', accuracy: 0.35, examples: 20 }),
  ];
  const arpoSummary: RunSummaryFile = {
    formatVersion: 1,
    kind: 'train',
    status: 'completed',
    steps: 4,
    wallMs: 754_000,
    trainToolCalls: { search: 34 },
    trainTokens: 4010,
    evaluations: arpoEvals,
    lastCheckpoint: 'checkpoints/step-000004',
  };
  const arpoGroups = [branchedGroup(), { ...flatGroup(4), algorithm: 'arpo' as const }];

  const grpoTrain = [1, 2, 3, 4].map((s) =>
    trainRow(s, {
      algorithm: 'grpo',
      rewardMean: 0.08 * s,
      accuracy: 0.1 * s,
      toolCalls: { search: 12 + s },
      toolCallsTotal: 12 + s,
      branches: 0,
      refills: 0,
      entropyBySegment: [0.45, 0.58],
      tokensGenerated: 2000,
    }),
  );
  const grpoEvals = [
    evalRow({ stage: 'before-rl', suite: 'entities', tools: 'on', accuracy: 0.5 }),
    evalRow({ stage: 'after-rl', step: 4, suite: 'entities', tools: 'on', accuracy: 0.3 }), // superseded below
    evalRow({ stage: 'after-rl', step: 4, suite: 'entities', tools: 'on', accuracy: 0.575 }),
  ];
  const grpoGroups = [flatGroup(1), flatGroup(3)];

  const arpoDir = join(root, 'arpo');
  const grpoDir = join(root, 'grpo');
  await writeRunFolder(arpoDir, {
    config: runConfig('arpo-seed1', { algorithm: 'arpo', rollout: { entropyWindow: 20, rollouts: 4 } }),
    rows: [...arpoSft, arpoEvals[0]!, arpoEvals[1]!, arpoEvals[2]!, ...arpoTrain, ...arpoEvals.slice(3)],
    summary: arpoSummary,
    groups: arpoGroups,
  });
  await writeRunFolder(grpoDir, {
    config: runConfig('grpo-seed1', { algorithm: 'grpo', rollout: { entropyWindow: 20, rollouts: 4 } }),
    rows: [grpoEvals[0]!, ...grpoTrain, grpoEvals[1]!, grpoEvals[2]!],
    summary: null,
    groups: grpoGroups,
  });
  return {
    arpoDir,
    grpoDir,
    arpo: { sft: arpoSft, train: arpoTrain, evals: arpoEvals, summary: arpoSummary, groups: arpoGroups },
    grpo: { train: grpoTrain, evals: [grpoEvals[0]!, grpoEvals[2]!], groups: grpoGroups },
  };
}

function runConfig(name: string, config: unknown): RunConfigFile {
  return { formatVersion: 1, kind: 'train', name, startedAt: '2025-01-02T03:04:05.000Z', argv: ['arpo', 'train', '--name', name], config };
}

/** Writes a run folder from parts (metrics rows one per line). */
export async function writeRunFolder(
  dir: string,
  parts: { config: RunConfigFile; rows: MetricsRow[]; summary: RunSummaryFile | null; groups: SampledGroupFile[] },
): Promise<void> {
  await mkdir(join(dir, 'groups'), { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(parts.config, null, 2));
  await writeFile(join(dir, 'metrics.jsonl'), parts.rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  if (parts.summary) await writeFile(join(dir, 'summary.json'), JSON.stringify(parts.summary));
  for (const group of parts.groups) {
    await writeFile(join(dir, 'groups', `step-${String(group.step).padStart(6, '0')}.json`), JSON.stringify(group));
  }
}

/** A Chromium binary for the browser tests, or why there is none. */
export function findChromium(): { path: string } | { path: null; reason: string } {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { path: null, reason: `CHROMIUM_PATH=${fromEnv} does not exist` };
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  const found = candidates.find((p) => existsSync(p));
  return found
    ? { path: found }
    : { path: null, reason: `no Chromium binary (looked for ${candidates.join(', ')}; set CHROMIUM_PATH or apt-get install chromium)` };
}
