import { z } from 'zod';
import { parseConfig } from './parse-config.js';

/**
 * The adaptive rollout (paper §3.1, Alg. 1; spec §2). Defaults are the reference reasoning script's
 * values (`ARPO_7B_Reasoning_1node.sh`); where paper and code differ the code is the default and the
 * paper's behaviour is a named option.
 */
export const RolloutConfigSchema = z
  .strictObject({
    /** `adaptive` = ARPO's entropy-based branching; `trajectory` = GRPO/DAPO baseline (N = M, no branching). */
    mode: z.enum(['adaptive', 'trajectory']).default('adaptive'),
    /** M: trajectories per prompt at the end of the rollout (the GRPO group size). Reference `rollout.n` = 16. */
    rollouts: z.number().int().min(1).default(16),
    /**
     * N: global trajectories sampled first per prompt; M − N slots are left for branches. Reference 8 with
     * M = 16; when unset: ⌈M/2⌉ in adaptive mode, M in trajectory mode.
     */
    initialRollouts: z.number().int().min(1).optional(),
    /** Z + 1: a source may spawn up to Z = beamSize − 1 branches per branching round. Reference 2 (Z = 1). */
    beamSize: z.number().int().min(1).default(2),
    /** α: base branch probability. Reference 0.5. */
    branchProbability: z.number().min(0).max(1).default(0.5),
    /** β: entropy weight in P = α + β·ΔH. Reference 0.2. */
    entropyWeight: z.number().finite().default(0.2),
    /** τ: threshold of the paper's deterministic rule (branch iff P > τ); unused by `stochastic`. Paper 0.5. */
    branchThreshold: z.number().min(0).max(1).default(0.5),
    /**
     * A registered branch rule (`@arpo/entropy`'s `registerBranchRule`). Built in: `stochastic` (reference: branch
     * iff u ≤ P, u ~ U(0,1)), `threshold` (paper: branch iff P > τ) and `consecutive-penalty` (AEPO: branch iff
     * clip((u + β·ΔH)·max(0, 1 − λ·l), 0, 1) ≥ α, see `consecutivePenalty`).
     */
    branchRule: z.string().min(1).default('stochastic'),
    /**
     * AEPO consecutive-branch penalty λ (arXiv 2510.14545, reference `1 − 0.05·l`), read by the branch rule
     * `consecutive-penalty`: the branch score (u + β·ΔH) is scaled by max(0, 1 − λ·l), l = the number of
     * consecutive rounds in which the prompt got a new trajectory (branch or refill). 0 = no penalty. Reference 0.05.
     */
    consecutivePenalty: z.number().finite().min(0).default(0.05),
    /** k: positions of a segment whose entropy is measured. Reference hard-codes 20. */
    entropyWindow: z.number().int().min(1).default(20),
    /** Top-k log-probs per position requested from the policy. Reference 10; 0 requests none. */
    topLogprobs: z.number().int().min(0).default(10),
    /** Entropy per position: `top-k` (reference: −Σ exp(lp)·lp over the returned candidates) or `full` (paper Eq. 3). */
    entropySource: z.enum(['top-k', 'full']).default('top-k'),
    /** How the window's k per-position entropies combine: `sum` (reference) or `mean`. */
    entropyAggregation: z.enum(['sum', 'mean']).default('sum'),
    /** Normalisation of the aggregated entropy: ÷ ln V (reference), ÷ V (paper's wording) or none. */
    entropyNormalization: z.enum(['ln-vocab', 'vocab', 'none']).default('ln-vocab'),
    /**
     * Initial-entropy baseline lifetime: `persistent-slot` (reference: keyed by slot index, never cleared,
     * spec §2.3 item 3) or `per-step` (cleared every training step, what the paper describes).
     */
    baselineReset: z.enum(['persistent-slot', 'per-step']).default('persistent-slot'),
    /**
     * When the branch decision at tool call t is made: `segment-end` (reference: entropy of the segment
     * that ended in call t) or `after-k-tokens` (paper: after generating k tokens following result t).
     */
    decisionTiming: z.enum(['segment-end', 'after-k-tokens']).default('segment-end'),
    /** Order in which the remaining M − N budget is handed out: `index-order` (reference) or `highest-entropy` first. */
    budgetAllocation: z.enum(['index-order', 'highest-entropy']).default('index-order'),
    /**
     * How many global samples N each prompt starts with: `fixed` (ARPO: `initialRollouts` for every prompt) or
     * `entropy-pre-monitoring` (AEPO, arXiv 2510.14545: per prompt p, N_p = clamp(⌊M·σ(β_pm·(H_root − H̄_tool))⌋ + 1,
     * 1, M) from a discarded pre-monitoring probe; `initialRollouts` is then ignored, as in the reference). The
     * probes' tokens and tool calls count in the rollout metrics. Reference `enable_dynamic_rollouts` (true in AEPO's
     * yaml configs, `False` in its launch scripts); `fixed` here.
     */
    globalBudget: z.enum(['fixed', 'entropy-pre-monitoring']).default('fixed'),
    /** β_pm: weight of H_root − H̄_tool inside the sigmoid of entropy pre-monitoring. Reference hard-codes 0.5. */
    preMonitorWeight: z.number().finite().default(0.5),
    /**
     * Tokens generated from the prompt to measure H_root in entropy pre-monitoring (its first k = `entropyWindow`
     * positions count). Reference `initial_entropy_tokens` 50.
     */
    preMonitorTokens: z.number().int().min(1).default(50),
    /** Max tool calls per trajectory; the next call appends EOS instead. Reference reasoning 3 (deep search 6). */
    callLimit: z.number().int().min(0).default(3),
    /** Max response tokens of a whole multi-turn trajectory (model + tool tokens). Reference 4096. */
    maxResponseTokens: z.number().int().min(1).default(4096),
    /** Max prompt tokens. Reference 1536. */
    maxPromptTokens: z.number().int().min(1).default(1536),
    /** Sampling temperature T (reference 1.0; 0 = greedy). */
    temperature: z.number().min(0).default(1),
    /** Nucleus sampling mass (reference 1.0 = off). */
    topP: z.number().gt(0).max(1).default(1),
    /** Top-k sampling cut-off; 0 = off (the reference's −1). */
    topK: z.number().int().min(0).default(0),
    /**
     * Tool calls executed at once, when the rollout engine is given plain `Tool`s (a `ToolExecutor` brings its
     * own limits). Reference `max_workers` 64.
     */
    toolConcurrency: z.number().int().min(1).default(64),
    /** Re-executions of a tool call that failed or returned empty output (plain `Tool`s). Reference 3. */
    toolRetries: z.number().int().min(0).default(3),
    /** Per-call tool timeout in milliseconds (plain `Tool`s). Reference 120 s. */
    toolTimeoutMs: z.number().int().min(1).default(120_000),
  })
  .superRefine((c, ctx) => {
    if (c.initialRollouts !== undefined && c.initialRollouts > c.rollouts) {
      ctx.addIssue({
        code: 'custom',
        path: ['initialRollouts'],
        input: c.initialRollouts,
        message: `a number <= rollouts (M = ${c.rollouts}): N global samples cannot exceed the group size M`,
      });
    }
    if (c.mode === 'trajectory' && c.initialRollouts !== undefined && c.initialRollouts !== c.rollouts) {
      ctx.addIssue({
        code: 'custom',
        path: ['initialRollouts'],
        input: c.initialRollouts,
        message: `rollouts (${c.rollouts}) or unset: trajectory mode samples all M trajectories globally`,
      });
    }
    if (c.mode === 'trajectory' && c.globalBudget !== 'fixed') {
      ctx.addIssue({
        code: 'custom',
        path: ['globalBudget'],
        input: c.globalBudget,
        message: `'fixed' in trajectory mode (it samples all M trajectories globally; entropy pre-monitoring sets N per prompt for adaptive mode)`,
      });
    }
  })
  .transform((c) => ({
    ...c,
    initialRollouts: c.mode === 'trajectory' ? c.rollouts : (c.initialRollouts ?? Math.ceil(c.rollouts / 2)),
    beamSize: c.mode === 'trajectory' ? 1 : c.beamSize,
  }));

/** Resolved rollout config (all defaults filled in). */
export type RolloutConfig = z.output<typeof RolloutConfigSchema>;
/** Rollout config as a user writes it (every field optional). */
export type RolloutConfigInput = z.input<typeof RolloutConfigSchema>;

/** Parses a rollout config, throwing `ArpoConfigError` naming the bad field. */
export function parseRolloutConfig(input: unknown = {}): RolloutConfig {
  return parseConfig(RolloutConfigSchema, input, 'rollout config');
}
