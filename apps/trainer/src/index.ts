// Config.
export {
  DataSectionSchema,
  EvalSectionSchema,
  ModelSectionSchema,
  SftSectionSchema,
  ToolsSectionSchema,
  TrainSectionSchema,
  TRAINER_ARPO_DEFAULTS,
  TrainerConfigSchema,
  parseTrainerConfig,
  type TrainerConfig,
  type TrainerConfigInput,
} from './config/trainer-config.js';
export { parseAssignments, readConfigFile, resolveConfig, type ConfigSources } from './config/load-config.js';
export { trainerConfigJsonSchema } from './config/json-schema.js';
export { COMPARE_CONFIG, QUICK_CONFIG } from './config/presets.js';

// Run folders, checkpoints, progress.
export {
  RUN_FILES,
  type Algorithm,
  type EvalRow,
  type EvalStage,
  type MetricsRow,
  type RunConfigFile,
  type RunKind,
  type RunSummaryFile,
  type SampledGroupFile,
  type SampledSegment,
  type SampledTrajectory,
  type SftRow,
  type ToolCounts,
  type TrainRow,
} from './run-files.js';
export { RunFolder } from './run/run-folder.js';
export {
  OPTIMIZER_STATE_FILE,
  TRAINER_STATE_FILE,
  checkpointName,
  latestCheckpoint,
  listCheckpoints,
  readTrainerCheckpoint,
  saveModelAtomic,
  saveTrainerCheckpoint,
  type SavablePolicy,
  type TrainerState,
} from './run/checkpoint.js';
export { StopSignal } from './run/stop-signal.js';
export type { RunContext } from './run/run-context.js';
export { PhaseProgress, Reporter, defaultOutputMode, formatDuration, type OutputMode, type ReporterOptions } from './progress/reporter.js';

// Building blocks of a run.
export { MODEL_PRESETS } from './setup/model-presets.js';
export { createRunPolicy } from './setup/policy.js';
export { createRunTools, type RunTools } from './setup/tools.js';
export { prepareTaskData, type TaskData } from './setup/task-data.js';
export { batchAt, permutation } from './phases/data-order.js';
export { demonstrationSample } from './phases/sft-samples.js';
export { demonstrationTexts, makeDemonstrations, runSft, type SftResult } from './phases/sft.js';
export { checkRolloutFitsModel, runTrain, type TrainOptions, type TrainResult } from './phases/train.js';
export type { TrainerPolicy } from './phases/trainer-policy.js';
export { runEvaluation } from './phases/evaluation.js';
export { scoreGroup, type GroupScores } from './phases/score-groups.js';
export { entropyBySegment, trainRow } from './phases/train-row.js';
export { sampledGroup } from './phases/sampled-group.js';

// Commands (what the CLI runs), usable from scripts.
export { openSession, writeSummary, type CommandEnv, type Session } from './commands/session.js';
export { demoCommand, type DemoResult } from './commands/demo-command.js';
export { sftCommand } from './commands/sft-command.js';
export { trainCommand, type TrainCommandResult } from './commands/train-command.js';
export { evalCommand } from './commands/eval-command.js';
export { serveCommand } from './commands/serve-command.js';
export { compareCommand, type CompareOptions, type CompareResult } from './commands/compare-command.js';
export { compareLines, formatCompareTable, meanStd, type CompareLine, type CompareRun } from './commands/compare-table.js';
export { commandLineMain } from './cli/run-cli.js';

// Reports.
export { parseMetrics, parseMetricsRow, readRun, renderReport, writeReport, type RenderReportOptions, type RunData } from './report/index.js';
