import { z } from 'zod';
import { ToolCallRecordSchema } from './tool-call.js';

/** Why a model segment (one generation call) ended. */
export const SegmentFinishReasonSchema = z.enum([
  /** The model emitted EOS. */
  'eos',
  /** A stop string (a tool's closing tag such as `</search>`) was generated. */
  'stop',
  /** The token cap of the call was reached. */
  'length',
]);
export type SegmentFinishReason = z.infer<typeof SegmentFinishReasonSchema>;

/** The branch decision made at the end of a model segment (paper Eq. 5; spec §2.2 step 6). */
export const BranchDecisionSchema = z.object({
  /** P(branch): clip(α + β·ΔH, 0, 1) (the stochastic rule at α = 1 always branches and reports 1). */
  probability: z.number().min(0).max(1),
  /** Branch attempts made (≤ Z = beamSize − 1, bounded by the remaining budget). */
  attempts: z.number().int().min(0),
  /** Ids of the child trajectories created. */
  children: z.array(z.string()),
});
export type BranchDecision = z.infer<typeof BranchDecisionSchema>;

/** Tokens produced by the policy in one generation call (loss mask 1). */
export const ModelSegmentSchema = z.object({
  kind: z.literal('model'),
  /** Offset of the first token in `Trajectory.responseTokens`. */
  start: z.number().int().min(0),
  /** Offset one past the last token. */
  end: z.number().int().min(0),
  finishReason: SegmentFinishReasonSchema,
  /** The stop string that ended the segment when `finishReason` is `stop`. */
  stopString: z.string().optional(),
  /** Segment entropy H over its first k positions (aggregated and normalised as configured). */
  entropy: z.number().optional(),
  /** ΔH = H − H_initial of this trajectory (paper Eq. 4). */
  deltaH: z.number().optional(),
  /** The branch decision taken after this segment, when one was made. */
  branch: BranchDecisionSchema.optional(),
  /** Wall-clock generation time of the round that produced this segment, in milliseconds. */
  generateMs: z.number().min(0).optional(),
});
export type ModelSegment = z.infer<typeof ModelSegmentSchema>;

/** Tokens inserted by the environment: a formatted tool result (loss mask 0). */
export const ToolResultSegmentSchema = z.object({
  kind: z.literal('tool-result'),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  /** The call whose result these tokens are. */
  call: ToolCallRecordSchema,
});
export type ToolResultSegment = z.infer<typeof ToolResultSegmentSchema>;

/**
 * Tokens the engine appends itself but that the model is trained on (loss mask 1): the EOS appended when
 * the call limit is reached (spec §2.2 step 3).
 */
export const InjectedSegmentSchema = z.object({
  kind: z.literal('injected'),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  reason: z.enum(['call-limit-eos']),
});
export type InjectedSegment = z.infer<typeof InjectedSegmentSchema>;

export const SegmentSchema = z.discriminatedUnion('kind', [ModelSegmentSchema, ToolResultSegmentSchema, InjectedSegmentSchema]);
export type Segment = z.infer<typeof SegmentSchema>;

/** Why a whole trajectory stopped (spec §2.4). */
export const TrajectoryFinishReasonSchema = z.enum([
  'eos',
  /** The tool call limit was reached; EOS was appended. */
  'call-limit',
  /** A tool call with an empty body; the reference stops without EOS. */
  'empty-tool-call',
  /** `maxResponseTokens` reached; the response is truncated. */
  'length',
]);
export type TrajectoryFinishReason = z.infer<typeof TrajectoryFinishReasonSchema>;

/**
 * One multi-turn trajectory: the prompt, then a response made of model segments and tool-result segments.
 * Token-level arrays (`responseTokens`, `lossMask`, `samplerLogprobs`) are flat and aligned; segments index
 * into them. A branch copies its parent's arrays up to `branchPoint` and records the link.
 */
export const TrajectorySchema = z
  .object({
    /** Unique within the rollout group. */
    id: z.string().min(1),
    /** Prompt (group) this trajectory answers; all M trajectories of a group share it. */
    promptId: z.string().min(1),
    promptTokens: z.array(z.number().int().min(0)),
    /** Everything after the prompt: model tokens and tool-result tokens, in order. */
    responseTokens: z.array(z.number().int().min(0)),
    /** Per response token: 1 = trained on (model tokens, injected EOS), 0 = tool result. */
    lossMask: z.array(z.union([z.literal(0), z.literal(1)])),
    /** Per response token: the sampler's log-prob of the token (0 for tool-result tokens), when known. */
    samplerLogprobs: z.array(z.number()).optional(),
    segments: z.array(SegmentSchema),
    /** Id of the trajectory this one branched from; null for a global (or refill) sample. */
    parentId: z.string().nullable(),
    /** Response tokens shared with the parent (the fork offset); null for a global sample. */
    branchPoint: z.number().int().min(0).nullable(),
    /** How this trajectory was created. */
    origin: z.enum(['global', 'branch', 'refill']),
    /** Tool calls made, inherited ones included. */
    toolCalls: z.number().int().min(0),
    finishReason: TrajectoryFinishReasonSchema,
  })
  .superRefine((t, ctx) => {
    const n = t.responseTokens.length;
    if (t.lossMask.length !== n) {
      ctx.addIssue({ code: 'custom', path: ['lossMask'], input: t.lossMask.length, message: `${n} entries, one per response token` });
    }
    if (t.samplerLogprobs && t.samplerLogprobs.length !== n) {
      ctx.addIssue({ code: 'custom', path: ['samplerLogprobs'], input: t.samplerLogprobs.length, message: `${n} entries, one per response token` });
    }
    let offset = 0;
    t.segments.forEach((s, i) => {
      if (s.start !== offset || s.end < s.start || s.end > n) {
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i],
          input: { start: s.start, end: s.end },
          message: `a span starting at ${offset} and ending within the ${n} response tokens (segments tile the response)`,
        });
      }
      offset = s.end;
    });
    if (t.segments.length > 0 && offset !== n) {
      ctx.addIssue({ code: 'custom', path: ['segments'], input: offset, message: `segments covering all ${n} response tokens` });
    }
    if ((t.parentId === null) !== (t.branchPoint === null)) {
      ctx.addIssue({ code: 'custom', path: ['branchPoint'], input: t.branchPoint, message: 'null exactly when parentId is null' });
    }
  });
export type Trajectory = z.infer<typeof TrajectorySchema>;
