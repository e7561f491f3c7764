export { tokenEntropy, type TokenEntropyOptions } from './token-entropy.js';
export { topKEntropy, topKEntropies, withSampledToken, type TopLogprobs } from './top-k-entropy.js';
export { topKEntropyBounds, type EntropyBounds } from './top-k-entropy-bounds.js';
export {
  segmentEntropy,
  segmentEntropyOptions,
  type EntropyAggregation,
  type EntropyNormalization,
  type SegmentEntropyOptions,
} from './segment-entropy.js';
export {
  EntropyTracker,
  type BaselineReset,
  type EntropyObservation,
  type EntropyTrackerState,
  type TrackerKey,
} from './entropy-tracker.js';
export {
  branchProbability,
  branchRules,
  consecutivePenaltyProbability,
  registerBranchRule,
  shouldBranch,
  type BranchDecisionResult,
  type BranchRule,
  type BranchRuleConfig,
  type BranchRuleContext,
} from './branch-rule.js';
