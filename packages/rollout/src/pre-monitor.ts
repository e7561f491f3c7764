import {
  ArpoConfigError,
  ArpoError,
  checkGenerations,
  formatToolResult,
  toolStopStrings,
  type Generation,
  type Policy,
  type ResultFormat,
  type Rng,
  type RolloutConfig,
  type ToolCallRequest,
  type ToolExecutor,
} from '@arpo/core';
import { generationEntropy } from './generation-entropy.js';
import type { PreMonitorMetrics, RolloutMetrics } from './rollout-metrics.js';
import { segmentToolCall } from './segment-tool-call.js';
import { executeRoundCalls } from './execute-round-calls.js';

/**
 * AEPO's dynamic global budget (arXiv 2510.14545, entropy pre-monitoring; reference
 * `_calculate_initial_rollouts_dynamical`): the number of global samples N_p a prompt starts with,
 *
 *   N_p = clamp(⌊M·σ(β_pm·(H_root − H̄_tool))⌋ + 1, 1, M),   σ(x) = 1 / (1 + e^(−x)).
 *
 * A prompt whose first tokens are more uncertain than its tool-call steps (H_root > H̄_tool) gets more global
 * samples; one whose tool steps are the uncertain part keeps more of the M slots for branching. At equal
 * entropies N_p = ⌊M/2⌋ + 1. E.g. M = 8, β_pm = 0.5, H_root − H̄_tool = 0.4: σ(0.2) = 0.5498, ⌊4.399⌋ + 1 = 5.
 *
 * @param hRoot H_root, finite.
 * @param hTool H̄_tool, finite.
 * @param M group size (`rollouts`), an integer ≥ 1.
 * @param beta β_pm (`preMonitorWeight`, reference 0.5), finite.
 */
export function preMonitorRollouts(hRoot: number, hTool: number, M: number, beta: number): number {
  const subject = 'preMonitorRollouts arguments';
  for (const [field, value] of [
    ['hRoot', hRoot],
    ['hTool', hTool],
    ['beta', beta],
  ] as const) {
    if (!(typeof value === 'number' && Number.isFinite(value))) throw new ArpoConfigError(subject, [{ field, value, expected: 'a finite number' }]);
  }
  if (!(typeof M === 'number' && Number.isSafeInteger(M) && M >= 1)) {
    throw new ArpoConfigError(subject, [{ field: 'M', value: M, expected: 'an integer >= 1' }]);
  }
  const sigma = 1 / (1 + Math.exp(-beta * (hRoot - hTool)));
  return Math.min(M, Math.max(1, Math.floor(M * sigma) + 1));
}

/** One prompt to pre-monitor: its id (probe sequence ids are `${promptId}/probe-root` and `${promptId}/probe`) and tokens. */
export interface PreMonitorPrompt {
  promptId: string;
  promptTokens: readonly number[];
}

/** What {@link runPreMonitor} needs; everything stateful is explicit, as in the engine. */
export interface PreMonitorOptions {
  policy: Policy;
  tools: ToolExecutor;
  config: RolloutConfig;
  /** The pre-monitoring stream (the engine passes `rng.split('pre-monitor')`): one seed per `policy.generate`. */
  rng: Rng;
  resultFormat: ResultFormat;
  now: () => number;
  /** Response-token cap of a sequence with this prompt (the config's, and what the model's context leaves). */
  cap: (promptTokens: readonly number[]) => number;
  /** The rollout's metrics: the probes' tokens, tool calls and time are added to them. */
  metrics: RolloutMetrics;
  signal?: AbortSignal;
}

interface Probe {
  prompt: number;
  id: string;
  promptTokens: readonly number[];
  response: number[];
  calls: number;
  active: boolean;
  /** Entropy of every generated segment (the reference's `step_entropies_list[i]`). */
  entropies: number[];
}

/**
 * Entropy pre-monitoring for a batch of prompts (AEPO; reference `_calculate_initial_rollouts_dynamical`), before
 * the main rollout of a step:
 *
 * - H_root: per prompt, one sample of up to `preMonitorTokens` tokens from the prompt (the tools' stop strings,
 *   the rollout's sampling), its segment entropy over the first k = `entropyWindow` positions, exactly as the
 *   engine measures segments ({@link generationEntropy}).
 * - H̄_tool: per prompt, an independent probe trajectory from the prompt run with tools until it ends (EOS, an
 *   empty or unknown tool call, the call limit, the response cap); the mean entropy of every segment it generated,
 *   the first one included (reference). H̄_tool = H_root when there is none.
 * - N_p = {@link preMonitorRollouts}(H_root, H̄_tool, M, β_pm).
 *
 * All prompts are batched: round 1 generates the H_root samples and the probes' first segments in one
 * `policy.generate`, each later round the live probes'. The probes' tokens and tool calls are thrown away, counted
 * in `metrics` (`tokensGenerated`, `probeTokens`, `toolCallsExecuted`, `probeToolCalls`, `toolCallsFailed`,
 * `policyMs`, `toolMs`); their sequences are released at the end. Probe segments do not touch the entropy tracker.
 */
export async function runPreMonitor(prompts: readonly PreMonitorPrompt[], o: PreMonitorOptions): Promise<PreMonitorMetrics> {
  const c = o.config;
  const m = o.metrics;
  const vocabSize = o.policy.tokenizer.vocabSize;
  const toolNames = o.tools.toolNames;
  const stop = toolStopStrings(toolNames);
  const topLogprobs = c.entropySource === 'top-k' ? c.topLogprobs : 0;
  const out: PreMonitorMetrics = {
    initialRollouts: [],
    hRoot: prompts.map(() => 0),
    hTool: [],
    probeTokens: prompts.map(() => 0),
    probeToolCalls: prompts.map(() => 0),
    rounds: 0,
  };
  // The reference's entropy of a segment with no log-probs (an empty one) is 0.
  const entropyOf = (gen: Generation): number => (gen.tokens.length > 0 ? generationEntropy(gen, c, vocabSize) : 0);
  const rootIds = prompts.map((p) => `${p.promptId}/probe-root`);
  const probes: Probe[] = prompts.map((p, i) => ({
    prompt: i,
    id: `${p.promptId}/probe`,
    promptTokens: p.promptTokens,
    response: [],
    calls: 0,
    active: true,
    entropies: [],
  }));

  for (let round = 0; ; round++) {
    const active = probes.filter((s) => s.active);
    if (active.length === 0) break;
    if (o.signal?.aborted) throw new ArpoError('rollout aborted');
    out.rounds += 1;
    // Round 1 also carries the H_root samples (rows 0..B−1), then the live probes.
    const roots = round === 0 ? prompts : [];
    const maxNewTokens = [
      ...roots.map((p) => Math.max(1, Math.min(c.preMonitorTokens, o.cap(p.promptTokens)))),
      ...active.map((s) => Math.max(1, o.cap(s.promptTokens) - s.response.length)),
    ];
    const t0 = o.now();
    const generations = await o.policy.generate({
      prefixes: [...roots.map((p) => p.promptTokens), ...active.map((s) => [...s.promptTokens, ...s.response])],
      sequenceIds: [...roots.map((_, p) => rootIds[p]!), ...active.map((s) => s.id)],
      maxNewTokens,
      stop,
      sampling: { temperature: c.temperature, topP: c.topP, topK: c.topK },
      topLogprobs,
      returnEntropy: c.entropySource === 'full',
      seed: o.rng.nextUint32(),
      signal: o.signal,
    });
    m.policyMs += o.now() - t0;
    checkGenerations(generations, { count: maxNewTokens.length, vocabSize, maxNewTokens, topLogprobs });
    const count = (p: number, gen: Generation) => {
      m.tokensGenerated += gen.tokens.length;
      m.probeTokens += gen.tokens.length;
      out.probeTokens[p]! += gen.tokens.length;
    };
    roots.forEach((_, p) => {
      const gen = generations[p]!;
      count(p, gen);
      out.hRoot[p] = entropyOf(gen);
    });

    // The probes' segments: record the entropy of every one, append, classify (the reference's probe loop).
    const calls: { probe: Probe; request: ToolCallRequest }[] = [];
    active.forEach((s, i) => {
      const gen = generations[roots.length + i]!;
      count(s.prompt, gen);
      s.entropies.push(entropyOf(gen));
      s.response.push(...gen.tokens);
      if (gen.finishReason === 'stop') {
        const call = s.calls < c.callLimit ? segmentToolCall(o.policy.tokenizer.decode(s.response), gen, toolNames) : null;
        if (!call || call.input === '') {
          s.active = false; // the call limit, or an empty or unknown call: the probe ends
          return;
        }
        s.calls += 1;
        calls.push({ probe: s, request: { tool: call.tool, input: call.input, trajectoryId: s.id } });
      } else if (gen.finishReason === 'eos' || gen.tokens.length === 0) {
        s.active = false;
      }
    });

    if (calls.length > 0) {
      const records = await executeRoundCalls(o.tools, calls.map((q) => q.request), m, o.now, o.signal);
      records.forEach((record, i) => {
        const s = calls[i]!.probe;
        m.probeToolCalls += 1;
        out.probeToolCalls[s.prompt]! += 1;
        s.response.push(...o.policy.tokenizer.encode(formatToolResult(record.output, o.resultFormat)));
      });
    }

    for (const s of active) if (s.active && s.response.length >= o.cap(s.promptTokens)) s.active = false;
  }
  await Promise.all([...rootIds, ...probes.map((s) => s.id)].map((id) => Promise.resolve(o.policy.release?.(id))));

  probes.forEach((s, p) => {
    const hRoot = out.hRoot[p]!;
    const hTool = s.entropies.length > 0 ? s.entropies.reduce((a, h) => a + h, 0) / s.entropies.length : hRoot;
    out.hTool.push(hTool);
    out.initialRollouts.push(preMonitorRollouts(hRoot, hTool, c.rollouts, c.preMonitorWeight));
  });
  return out;
}
