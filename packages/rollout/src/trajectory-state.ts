import type { Segment, Trajectory, TrajectoryFinishReason } from '@arpo/core';

/** The engine's mutable record of one trajectory while it is being generated. */
export interface TrajectoryState {
  id: string;
  /** Index of the prompt in the batch. */
  prompt: number;
  /** Creation index within the whole batch: the reference's slot (trajectory index i). */
  slot: number;
  promptTokens: readonly number[];
  responseTokens: number[];
  lossMask: (0 | 1)[];
  samplerLogprobs: number[];
  segments: Segment[];
  /** Tool calls made, inherited ones included (the reference's call counter). */
  toolCalls: number;
  parentId: string | null;
  branchPoint: number | null;
  origin: Trajectory['origin'];
  active: boolean;
  finishReason: TrajectoryFinishReason | null;
}

export function freshState(id: string, prompt: number, slot: number, promptTokens: readonly number[], origin: 'global' | 'refill'): TrajectoryState {
  return {
    id,
    prompt,
    slot,
    promptTokens,
    responseTokens: [],
    lossMask: [],
    samplerLogprobs: [],
    segments: [],
    toolCalls: 0,
    parentId: null,
    branchPoint: null,
    origin,
    active: true,
    finishReason: null,
  };
}

/**
 * A branch of `parent` (spec §2.2 step 6): a deep copy of its tokens, masks, log-probs, segments and call
 * counter up to `upTo` response tokens (the whole response by default), continuing from that prefix.
 */
export function branchState(parent: TrajectoryState, id: string, slot: number, upTo = parent.responseTokens.length): TrajectoryState {
  const segments = parent.segments.filter((s) => s.end <= upTo).map((s) => structuredClone(s));
  // Branch decisions belong to the parent's sampling; the child inherits the prefix, not the decisions.
  for (const s of segments) if (s.kind === 'model') delete s.branch;
  return {
    id,
    prompt: parent.prompt,
    slot,
    promptTokens: parent.promptTokens,
    responseTokens: parent.responseTokens.slice(0, upTo),
    lossMask: parent.lossMask.slice(0, upTo),
    samplerLogprobs: parent.samplerLogprobs.slice(0, upTo),
    segments,
    toolCalls: segments.filter((s) => s.kind === 'tool-result').length,
    parentId: parent.id,
    branchPoint: upTo,
    origin: 'branch',
    active: true,
    finishReason: null,
  };
}

/** Appends tokens as one segment. */
export function appendSegment(state: TrajectoryState, tokens: readonly number[], mask: 0 | 1, logprobs: readonly number[] | null, segment: DistributiveOmit<Segment, 'start' | 'end'>): void {
  const start = state.responseTokens.length;
  state.responseTokens.push(...tokens);
  for (let i = 0; i < tokens.length; i++) {
    state.lossMask.push(mask);
    state.samplerLogprobs.push(logprobs?.[i] ?? 0);
  }
  state.segments.push({ ...segment, start, end: start + tokens.length } as Segment);
}

/** Cuts the response to `maxTokens` (spec §2.2 "After the loop"), clipping or dropping segments past it. */
export function truncateState(state: TrajectoryState, maxTokens: number): void {
  if (state.responseTokens.length <= maxTokens) return;
  state.responseTokens.length = maxTokens;
  state.lossMask.length = maxTokens;
  state.samplerLogprobs.length = maxTokens;
  state.segments = state.segments.filter((s) => s.start < maxTokens);
  const last = state.segments.at(-1);
  if (last && last.end > maxTokens) last.end = maxTokens;
}

/** The public, immutable record. */
export function toTrajectory(state: TrajectoryState, promptId: string): Trajectory {
  return {
    id: state.id,
    promptId,
    promptTokens: [...state.promptTokens],
    responseTokens: state.responseTokens,
    lossMask: state.lossMask,
    samplerLogprobs: state.samplerLogprobs,
    segments: state.segments,
    parentId: state.parentId,
    branchPoint: state.branchPoint,
    origin: state.origin,
    toolCalls: state.toolCalls,
    finishReason: state.finishReason ?? 'length',
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
