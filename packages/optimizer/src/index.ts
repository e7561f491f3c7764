// Pure float64 references (arrays).
export { CLIP_BRANCHES, CLIP_BRANCH_CODE, LOG_RATIO_CLAMP, checkClipParams, clippedSurrogate, surrogateToken } from './clipped-surrogate.js';
export type { ClipBranch, ClipParams, ClippedSurrogate, SurrogateToken } from './clipped-surrogate.js';
export {
  aggregate,
  aggregationScope,
  aggregationWeights,
  lossAggregations,
  maskedMean,
  registerLossAggregation,
  weightedSum,
  type AggregationScope,
  type LossAggregationRule,
} from './aggregation.js';
export { K3_CLAMP, K3_LOG_RATIO_CLAMP, klEstimators, registerKlEstimator, type KlEstimatorRule } from './kl-estimators.js';
export { klPenalty, klToken } from './kl-penalty.js';
export { entropyBalancedSurrogate, entropyBalancedToken } from './entropy-balanced-clipping.js';
export { entropyAwareAdvantages, entropyZScores } from './entropy-advantage.js';
export {
  policyLosses,
  registerPolicyLoss,
  type PolicyLossArrays,
  type PolicyLossRule,
  type PolicyLossTensorArgs,
  type PolicyLossTensors,
} from './policy-losses.js';
export {
  POLICY_STATS,
  policyLoss,
  policyMetricsFromStats,
  type PolicyLossConfig,
  type PolicyLossInput,
  type PolicyLossMetrics,
  type PolicyLossResult,
  type PolicyStatName,
} from './policy-loss.js';
export { sftLoss, type SftLossInput, type SftLossOptions } from './sft-loss.js';
export type { Shape2D } from './checks.js';

// Tensor versions (tfjs, differentiable w.r.t. log πθ).
export { clippedSurrogateTensor, type ClippedSurrogateTensors } from './clipped-surrogate-tensor.js';
export { entropyBalancedSurrogateTensor } from './entropy-balanced-clipping-tensor.js';
export { entropyAwareAdvantagesTensor } from './entropy-advantage-tensor.js';
export { stopGradient } from './stop-gradient.js';
export { klPenaltyTensor } from './kl-penalty-tensor.js';
export { policyLossTensor, sftLossTensor, type PolicyLossTensorInput } from './policy-loss-tensor.js';

// The update.
export { AdamW, type AdamWConfig, type AdamWSnapshot, type AdamWState } from './adamw.js';
export { learningRateAt, warmupSteps, type ScheduleConfig } from './lr-schedule.js';
export { planMiniBatches, type MiniBatchPlan } from './batch-plan.js';
export { policySamples, validateSamples, type PolicySample, type SampleTrajectory, type SftSample } from './policy-sample.js';
export { NonFiniteError, type NonFiniteLocation } from './non-finite-error.js';
export {
  PolicyOptimizer,
  type GradientResult,
  type MicroBatchScaling,
  type PolicyOptimizerOptions,
  type PolicyOptimizerState,
  type ReferencePolicy,
  type TfjsTrainablePolicy,
} from './policy-optimizer.js';
export { ReplicaPool, type GradientRequest, type ReplicaPoolOptions } from './replica-pool.js';
export { isReplicablePolicy, isRowSplitPolicy, type PolicyReplicaSpec, type ReplicablePolicy, type RowSplitPolicy } from './replicable-policy.js';
export { createParallelPolicy } from './parallel-policy.js';
export type { MicroGradient, MicroInput } from './gradient-accumulator.js';
export type { LossSpec } from './loss-builders.js';
export type { OldLogprobDiff, SftMetrics, StepMetrics, UpdateMetrics, UpdateTimings } from './update-metrics.js';
