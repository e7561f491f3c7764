export type { AttributionGroup, AttributionTrajectory, TrajectoryAdvantages } from './advantage-group.js';
export { grpoAdvantages, type GrpoOptions } from './grpo-advantages.js';
export { grpoAdvantagesByGroup } from './grpo-advantages-by-group.js';
export { softAttribution } from './soft-attribution.js';
export { hardAttribution } from './hard-attribution.js';
export { sharingCounts } from './sharing-counts.js';
export { validateBranchPrefixes } from './validate-branch-prefixes.js';
export { BranchPrefixError } from './branch-prefix-error.js';
export { computeAdvantages, type GroupAdvantages, type ScoredGroup } from './compute-advantages.js';
export {
  advantageEstimators,
  registerAdvantageEstimator,
  type AdvantageEstimator,
  type EstimatedAdvantages,
} from './advantage-estimators.js';
