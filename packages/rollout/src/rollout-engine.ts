import {
  ArpoConfigError,
  ArpoError,
  checkGenerations,
  createToolExecutor,
  createRng,
  formatToolResult,
  parseRolloutConfig,
  RolloutGroupSchema,
  toolStopStrings,
  type Generation,
  type ModelSegment,
  type Policy,
  type ResultFormat,
  type Rng,
  type RolloutConfig,
  type RolloutConfigInput,
  type RolloutGroup,
  type Tool,
  type ToolCallRequest,
  type ToolExecutor,
} from '@arpo/core';
import { branchRules, EntropyTracker } from '@arpo/entropy';
import { needsRefill, planBranches } from './budget-plan.js';
import { generationEntropy } from './generation-entropy.js';
import { executeRoundCalls } from './execute-round-calls.js';
import { runPreMonitor } from './pre-monitor.js';
import type { RolloutMetrics } from './rollout-metrics.js';
import { segmentToolCall } from './segment-tool-call.js';
import { appendSegment, branchState, freshState, toTrajectory, truncateState, type TrajectoryState } from './trajectory-state.js';

/** One prompt to roll out. */
export interface RolloutPrompt {
  /** Group key; trajectory ids are `${promptId}/${n}`. */
  promptId: string;
  /** The prompt as token ids (chat template already applied). */
  promptTokens: readonly number[];
}

/** Inputs of a {@link RolloutEngine}: everything stateful is explicit. */
export interface RolloutEngineOptions {
  policy: Policy;
  /**
   * The tools: a {@link ToolExecutor} (e.g. `@arpo/tools`' with caching and metrics), or plain {@link Tool}s,
   * which the engine runs through core's default executor with the config's `toolConcurrency`, `toolRetries`
   * and `toolTimeoutMs`.
   */
  tools: ToolExecutor | readonly Tool[];
  /** Rollout config (validated; reference defaults). */
  config?: RolloutConfigInput;
  /** Seed of the engine's RNG (sampling seeds and branch draws), unless `rng` is given. */
  seed?: number;
  rng?: Rng;
  /**
   * The initial-entropy tracker. Keep one per engine across training steps: with `baselineReset:
   * 'persistent-slot'` (reference) its baselines outlive a step, keyed by slot index.
   */
  tracker?: EntropyTracker;
  /** How tool results are written into trajectories: `training` (reference rollout) or `evaluation`. */
  resultFormat?: ResultFormat;
  /** Monotonic clock in milliseconds. */
  now?: () => number;
}

/** What {@link RolloutEngine.run} returns: one group of exactly M trajectories per prompt. */
export interface RolloutResult {
  groups: RolloutGroup[];
  metrics: RolloutMetrics;
}

/**
 * ARPO's entropy-based adaptive rollout (paper §3.1, Alg. 1) with the reference implementation's semantics
 * (spec §2.2), and the trajectory-level GRPO baseline (`mode: 'trajectory'`) through the same loop.
 *
 * Each round generates for all active trajectories at once, stopping at the tools' closing tags, EOS or the
 * token cap; executes all tool calls of the round concurrently; appends the results (loss mask 0); measures
 * each segment's entropy H and ΔH = H − H_initial; decides branches with P = clip(α + β·ΔH, 0, 1); refills
 * prompts with no live trajectory; and repeats until none is active. Every prompt ends with exactly M.
 *
 * AEPO's options (arXiv 2510.14545): `globalBudget: 'entropy-pre-monitoring'` sets each prompt's N from a
 * discarded probe before the rollout (`runPreMonitor`, N_p by `preMonitorRollouts`); `branchRule:
 * 'consecutive-penalty'` damps branching of a prompt that got new trajectories in consecutive rounds (the engine
 * keeps the per-prompt count l and passes it to every branch rule as `{ consecutiveBranches: l }`).
 */
export class RolloutEngine {
  readonly config: RolloutConfig;
  readonly tracker: EntropyTracker;
  private readonly policy: Policy;
  private readonly tools: ToolExecutor;
  private readonly rng: Rng;
  private readonly resultFormat: ResultFormat;
  private readonly now: () => number;

  constructor(options: RolloutEngineOptions) {
    this.config = parseRolloutConfig(options.config ?? {});
    if (this.config.mode === 'adaptive') branchRules.get(this.config.branchRule); // an unknown rule fails here, not mid-rollout
    this.policy = options.policy;
    this.tools = toolExecutorFrom(options.tools, this.config);
    this.rng = options.rng ?? createRng(options.seed ?? 0);
    this.tracker = options.tracker ?? new EntropyTracker({ baselineReset: this.config.baselineReset });
    if (this.tracker.baselineReset !== this.config.baselineReset) {
      throw new ArpoError(
        `RolloutEngine: tracker.baselineReset = '${this.tracker.baselineReset}' but config.baselineReset = '${this.config.baselineReset}' (expected the same mode)`,
      );
    }
    this.resultFormat = options.resultFormat ?? 'training';
    this.now = options.now ?? (() => performance.now());
    if (this.config.entropySource === 'top-k' && this.config.topLogprobs === 0 && this.config.mode === 'adaptive') {
      throw new ArpoError("RolloutEngine: entropySource 'top-k' needs topLogprobs > 0 (the reference uses 10)");
    }
  }

  /** Rolls out one batch of prompts: one training step's groups. */
  async run(prompts: readonly RolloutPrompt[], options: { signal?: AbortSignal } = {}): Promise<RolloutResult> {
    const c = this.config;
    const M = c.rollouts;
    const Z = c.beamSize - 1;
    const started = this.now();
    const vocabSize = this.policy.tokenizer.vocabSize;
    const eos = this.policy.tokenizer.eosTokenId;
    const stop = toolStopStrings(this.tools.toolNames);
    const branchRng = this.rng.split('branch');
    const sampleRng = this.rng.split('sample');
    // Split last and only when used, so that 'fixed' draws exactly what it drew before pre-monitoring existed.
    const preMonitorRng = c.globalBudget === 'entropy-pre-monitoring' ? this.rng.split('pre-monitor') : null;
    this.tracker.startStep();
    // Response cap per trajectory: the config's, and what the model's context leaves after the prompt.
    const contextLength = this.policy.contextLength ?? Number.POSITIVE_INFINITY;
    prompts.forEach((prompt, p) => {
      if (prompt.promptTokens.length >= contextLength) {
        throw new ArpoError(
          `RolloutEngine: prompts[${p}] ('${prompt.promptId}') has ${prompt.promptTokens.length} tokens (expected < the policy's contextLength = ${contextLength}, to leave room for a response)`,
        );
      }
    });
    const capFor = (promptTokens: readonly number[]): number => Math.min(c.maxResponseTokens, contextLength - promptTokens.length);
    const cap = (s: TrajectoryState): number => capFor(s.promptTokens);

    const m = emptyMetrics(prompts.length);
    const afterTool: { h: number; dh: number }[] = [];
    const all: TrajectoryState[] = [];
    const byPrompt: TrajectoryState[][] = prompts.map(() => []);
    const add = (s: TrajectoryState) => {
      all.push(s);
      byPrompt[s.prompt]!.push(s);
    };
    const newId = (p: number) => `${prompts[p]!.promptId}/${byPrompt[p]!.length}`;

    // Init: N global samples per prompt (M − N slots left for branches and refills): the config's N, or AEPO's
    // N_p from entropy pre-monitoring (the reference then ignores initial_rollouts).
    let initialRollouts = prompts.map(() => c.initialRollouts);
    if (preMonitorRng) {
      m.preMonitor = await runPreMonitor(prompts, {
        policy: this.policy,
        tools: this.tools,
        config: c,
        rng: preMonitorRng,
        resultFormat: this.resultFormat,
        now: this.now,
        cap: capFor,
        metrics: m,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      initialRollouts = m.preMonitor.initialRollouts;
    }
    prompts.forEach((prompt, p) => {
      for (let n = 0; n < initialRollouts[p]!; n++) add(freshState(newId(p), p, all.length, prompt.promptTokens, 'global'));
    });
    // AEPO's consecutive_branches: per prompt, the rounds in a row that gave it a new trajectory (branch or refill).
    const consecutive = prompts.map(() => 0);

    for (;;) {
      const active = all.filter((s) => s.active);
      if (active.length === 0) break;
      if (options.signal?.aborted) throw new ArpoError('rollout aborted');
      m.rounds += 1;

      // 1. Generate one segment for every active trajectory.
      const t0 = this.now();
      const generations = await this.policy.generate({
        prefixes: active.map((s) => [...s.promptTokens, ...s.responseTokens]),
        sequenceIds: active.map((s) => s.id),
        maxNewTokens: active.map((s) => Math.max(1, cap(s) - s.responseTokens.length)),
        stop,
        sampling: { temperature: c.temperature, topP: c.topP, topK: c.topK },
        topLogprobs: c.entropySource === 'top-k' ? c.topLogprobs : 0,
        returnEntropy: c.entropySource === 'full',
        seed: sampleRng.nextUint32(),
        signal: options.signal,
      });
      const generateMs = this.now() - t0;
      m.policyMs += generateMs;
      checkGenerations(generations, {
        count: active.length,
        vocabSize,
        maxNewTokens: active.map((s) => Math.max(1, cap(s) - s.responseTokens.length)),
        topLogprobs: c.entropySource === 'top-k' ? c.topLogprobs : 0,
      });

      // 2–3. Entropy, append, classify (spec §2.2 steps 2–3).
      const calls: { state: TrajectoryState; request: ToolCallRequest }[] = [];
      const deltaH = new Map<TrajectoryState, number>();
      const decisionSegment = new Map<TrajectoryState, ModelSegment>();
      active.forEach((s, i) => {
        const gen = generations[i]!;
        m.tokensGenerated += gen.tokens.length;
        const followsTool = s.segments.at(-1)?.kind === 'tool-result';
        let entropy: number | undefined;
        let dh: number | undefined;
        // Measured in both modes (the GRPO baseline reports entropy too); only adaptive mode branches on it.
        const measurable = c.entropySource === 'full' ? gen.entropies !== undefined : (gen.topLogprobs?.length ?? 0) > 0;
        if (gen.tokens.length > 0 && (c.mode === 'adaptive' || measurable)) {
          entropy = generationEntropy(gen, c, vocabSize);
          dh = this.tracker.observe((c.baselineReset === 'persistent-slot' ? s.slot : s.id) as never, entropy).deltaH;
          deltaH.set(s, dh);
          if (followsTool) afterTool.push({ h: entropy, dh });
        }
        appendSegment(s, gen.tokens, 1, gen.logprobs, {
          kind: 'model',
          finishReason: gen.finishReason,
          generateMs,
          ...(gen.stopString !== undefined ? { stopString: gen.stopString } : {}),
          ...(entropy !== undefined ? { entropy, deltaH: dh } : {}),
        });
        const segment = s.segments.at(-1) as ModelSegment;
        // Paper timing: only a segment that follows tool result t decides (the fork is at its start).
        if (c.decisionTiming === 'segment-end' || followsTool) decisionSegment.set(s, segment);
        this.classify(s, gen, eos, calls, m);
      });

      // 4. Execute the round's tool calls concurrently; append results with loss mask 0.
      if (calls.length > 0) {
        const records = await executeRoundCalls(this.tools, calls.map((q) => q.request), m, this.now, options.signal);
        records.forEach((record, i) => {
          const s = calls[i]!.state;
          const tokens = this.policy.tokenizer.encode(formatToolResult(record.output, this.resultFormat));
          appendSegment(s, tokens, 0, null, { kind: 'tool-result', call: record });
        });
      }

      // 5. Drop trajectories at the response cap (or whose next prefix would not fit the model's context).
      for (const s of active) {
        if (s.active && s.responseTokens.length >= cap(s)) this.finish(s, 'length');
      }

      // 6. Branch (adaptive mode), within each prompt's remaining budget M − |group|.
      const forks: Promise<void>[] = [];
      const added = prompts.map(() => 0); // new trajectories per prompt this round
      if (c.mode === 'adaptive' && Z > 0) {
        prompts.forEach((_, p) => {
          const group = byPrompt[p]!;
          const remaining = M - group.length;
          if (remaining <= 0) return;
          // Reference: live trajectories that just made a tool call. Paper timing forks at an earlier tool result,
          // so a source that has since finished can still branch there.
          const sources = group.filter((s) => decisionSegment.has(s) && (s.active || c.decisionTiming === 'after-k-tokens'));
          const plans = planBranches(sources.map((s) => ({ deltaH: deltaH.get(s) ?? 0 })), remaining, c, branchRng, {
            consecutiveBranches: consecutive[p]!,
          });
          for (const plan of plans) {
            const source = sources[plan.source]!;
            const segment = decisionSegment.get(source)!;
            const children: string[] = [];
            m.branchAttempts += plan.attempts;
            for (let b = 0; b < plan.branches; b++) {
              const forkAt = c.decisionTiming === 'after-k-tokens' ? segment.start : source.responseTokens.length;
              const child = branchState(source, newId(p), all.length, forkAt);
              add(child);
              children.push(child.id);
              m.branches += 1;
              added[p]! += 1;
            }
            segment.branch = { probability: plan.probability, attempts: plan.attempts, children }; // the record in the source's own segments
            for (const childId of children) forks.push(Promise.resolve(this.policy.fork?.(source.id, childId)));
          }
        });
      }

      await Promise.all(forks);

      // 7. Refill: one fresh trajectory per round for a prompt with no live trajectory and fewer than M.
      prompts.forEach((prompt, p) => {
        const group = byPrompt[p]!;
        if (needsRefill(group, M)) {
          add(freshState(newId(p), p, all.length, prompt.promptTokens, 'refill'));
          m.refills += 1;
          added[p]! += 1;
        }
      });

      // AEPO's counter update (reference: only `if new_inputs:`): after a round that added any trajectory, a prompt
      // that got one (branch or refill) counts one more consecutive round, every other prompt restarts at 0.
      if (added.some((n) => n > 0)) added.forEach((n, p) => (consecutive[p] = n > 0 ? consecutive[p]! + 1 : 0));
    }

    // After the loop: truncate, take exactly M per prompt in creation order.
    const groups = prompts.map((prompt, p) => {
      const states = byPrompt[p]!.slice(0, M);
      for (const s of states) truncateState(s, cap(s));
      const trajectories = states.map((s) => toTrajectory(s, prompt.promptId));
      const toolCallsInTrajectories = trajectories.reduce((sum, t) => sum + t.toolCalls, 0);
      m.toolCallsInTrajectories += toolCallsInTrajectories;
      return RolloutGroupSchema.parse({
        promptId: prompt.promptId,
        promptTokens: [...prompt.promptTokens],
        trajectories,
        stats: {
          toolCallsExecuted: states.reduce((sum, s) => sum + ownToolCalls(s), 0),
          toolCallsInTrajectories,
          branches: states.filter((s) => s.origin === 'branch').length,
          refills: states.filter((s) => s.origin === 'refill').length,
          rounds: m.rounds,
        },
      }) as RolloutGroup;
    });
    await Promise.all(all.map((s) => Promise.resolve(this.policy.release?.(s.id))));

    m.trajectories = groups.reduce((sum, g) => sum + g.trajectories.length, 0);
    m.totalMs = this.now() - started;
    m.engineMs = Math.max(0, m.totalMs - m.policyMs - m.toolMs);
    m.engineOverhead = m.totalMs > 0 ? m.engineMs / m.totalMs : 0;
    m.meanEntropyAfterTool = afterTool.length ? afterTool.reduce((a, x) => a + x.h, 0) / afterTool.length : null;
    m.meanDeltaHAfterTool = afterTool.length ? afterTool.reduce((a, x) => a + x.dh, 0) / afterTool.length : null;
    return { groups, metrics: m };
  }

  /** Spec §2.2 step 3: what the end of a segment means for the trajectory. */
  private classify(s: TrajectoryState, gen: Generation, eos: number, calls: { state: TrajectoryState; request: ToolCallRequest }[], m: RolloutMetrics): void {
    const c = this.config;
    if (gen.finishReason === 'stop') {
      if (s.toolCalls >= c.callLimit) {
        // Call limit: append EOS (mask 1) and stop.
        appendSegment(s, [eos], 1, null, { kind: 'injected', reason: 'call-limit-eos' });
        m.callLimitHits += 1;
        this.finish(s, 'call-limit');
        return;
      }
      s.toolCalls += 1;
      const call = segmentToolCall(this.policy.tokenizer.decode(s.responseTokens), gen, this.tools.toolNames);
      if (!call || call.input === '') {
        m.emptyToolCalls += 1;
        this.finish(s, 'empty-tool-call'); // the reference stops silently, without EOS
        return;
      }
      calls.push({ state: s, request: { tool: call.tool, input: call.input, trajectoryId: s.id } });
      return;
    }
    if (gen.finishReason === 'eos') {
      this.finish(s, 'eos');
      return;
    }
    // 'length': continue while under the cap (step 5 drops it at the cap).
    if (gen.tokens.length === 0) this.finish(s, 'length');
  }

  private finish(s: TrajectoryState, reason: NonNullable<TrajectoryState['finishReason']>): void {
    s.active = false;
    s.finishReason = reason;
  }
}

/** Tool calls this trajectory executed itself (not inherited from its parent's prefix). */
function ownToolCalls(s: TrajectoryState): number {
  const from = s.branchPoint ?? 0;
  return s.segments.filter((seg) => seg.kind === 'tool-result' && seg.start >= from).length;
}

function emptyMetrics(prompts: number): RolloutMetrics {
  return {
    prompts,
    trajectories: 0,
    branches: 0,
    refills: 0,
    branchAttempts: 0,
    rounds: 0,
    toolCallsExecuted: {},
    toolCallsInTrajectories: 0,
    toolCallsFailed: 0,
    callLimitHits: 0,
    emptyToolCalls: 0,
    tokensGenerated: 0,
    probeTokens: 0,
    probeToolCalls: 0,
    preMonitor: null,
    policyMs: 0,
    toolMs: 0,
    engineMs: 0,
    totalMs: 0,
    engineOverhead: 0,
    meanEntropyAfterTool: null,
    meanDeltaHAfterTool: null,
  };
}

/** A {@link ToolExecutor} as given, or core's default executor over plain tools (with the config's limits). */
function toolExecutorFrom(tools: ToolExecutor | readonly Tool[] | undefined, c: RolloutConfig): ToolExecutor {
  if (Array.isArray(tools)) {
    return createToolExecutor(tools as readonly Tool[], { concurrency: c.toolConcurrency, retries: c.toolRetries, timeoutMs: c.toolTimeoutMs });
  }
  const t = tools as Partial<ToolExecutor & Tool> | undefined;
  if (t && typeof t.executeAll === 'function' && Array.isArray(t.toolNames)) return t as ToolExecutor;
  const expected =
    t && typeof t.execute === 'function'
      ? 'a ToolExecutor or an array of Tools (this is a single Tool: pass [tool])'
      : 'a ToolExecutor ({ toolNames, executeAll }) or an array of Tools';
  throw new ArpoConfigError('RolloutEngine options', [{ field: 'tools', value: tools, expected }]);
}
