export { ArpoError, ArpoConfigError, formatValue, type FieldProblem } from './errors.js';
export { parseConfig, toProblem } from './parse-config.js';
export { createRng, rngFromState, type Rng, type RngState } from './rng.js';

export {
  RolloutConfigSchema,
  parseRolloutConfig,
  type RolloutConfig,
  type RolloutConfigInput,
} from './rollout-config.js';
export {
  AdvantageConfigSchema,
  parseAdvantageConfig,
  type AdvantageConfig,
  type AdvantageConfigInput,
} from './advantage-config.js';
export {
  LossConfigSchema,
  LOSS_AGGREGATIONS,
  KL_ESTIMATORS,
  POLICY_LOSSES,
  parseLossConfig,
  type LossConfig,
  type LossConfigInput,
  type LossAggregation,
  type KlEstimator,
  type PolicyLossName,
} from './loss-config.js';
export {
  OptimizerConfigSchema,
  parseOptimizerConfig,
  type OptimizerConfig,
  type OptimizerConfigInput,
} from './optimizer-config.js';
export { RewardConfigSchema, parseRewardConfig, type RewardConfig, type RewardConfigInput } from './reward-config.js';
export { ArpoConfigSchema, parseArpoConfig, type ArpoConfig, type ArpoConfigInput } from './arpo-config.js';

export { ToolCallRecordSchema, ToolCallStatusSchema, type ToolCallRecord, type ToolCallStatus } from './tool-call.js';
export {
  BranchDecisionSchema,
  InjectedSegmentSchema,
  ModelSegmentSchema,
  SegmentFinishReasonSchema,
  SegmentSchema,
  ToolResultSegmentSchema,
  TrajectoryFinishReasonSchema,
  TrajectorySchema,
  type BranchDecision,
  type InjectedSegment,
  type ModelSegment,
  type Segment,
  type SegmentFinishReason,
  type ToolResultSegment,
  type Trajectory,
  type TrajectoryFinishReason,
} from './trajectory.js';
export { RolloutGroupSchema, RolloutGroupStatsSchema, type RolloutGroup, type RolloutGroupStats } from './rollout-group.js';

export type { Tokenizer } from './tokenizer.js';
export type {
  GenerateRequest,
  Generation,
  GenerationFinishReason,
  Policy,
  SamplingParams,
  TokenLogprob,
} from './policy.js';
export type { ScoreRequest, TokenScores, TrainablePolicy } from './trainable-policy.js';
export type { Tool, ToolCallContext, ToolCallRequest, ToolExecutor, ToolResult } from './tool.js';
export type { RewardFunction, RewardInput, RewardOutput } from './reward-function.js';

export {
  closingTag,
  endingToolTag,
  openingTag,
  parseToolCall,
  toolStopStrings,
  type ParsedToolCall,
  type ToolCallSemantics,
} from './tool-call-parser.js';
export {
  emptyOutputText,
  executionFailedText,
  formatToolResult,
  truncateToolOutput,
  type ResultFormat,
} from './result-format.js';

export { ToolRegistry } from './tool-registry.js';
export {
  createToolExecutor,
  DefaultToolExecutor,
  ToolExecutorConfigSchema,
  type ToolExecutorConfig,
  type ToolExecutorConfigInput,
  type ToolExecutorOptions,
} from './tool-executor.js';
export { ToolMetrics, type ToolMetricsSnapshot, type ToolStats } from './tool-metrics.js';
export { checkGenerations, checkToolRecords, type GenerationExpectation } from './check-boundaries.js';
export { NamedRegistry } from './named-registry.js';
