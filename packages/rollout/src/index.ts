export { RolloutEngine, type RolloutEngineOptions, type RolloutPrompt, type RolloutResult } from './rollout-engine.js';
export type { PreMonitorMetrics, RolloutMetrics } from './rollout-metrics.js';
export { generationEntropy, positionEntropies } from './generation-entropy.js';
export { needsRefill, planBranches, type BranchCandidate, type BranchPlan, type BudgetConfig } from './budget-plan.js';
export { preMonitorRollouts } from './pre-monitor.js';
