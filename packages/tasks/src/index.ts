export {
  ABILITIES,
  DEFAULT_SUITES,
  SPLITS,
  SUITES,
  TaskExampleSchema,
  TaskMetaSchema,
  type Ability,
  type Split,
  type SuiteName,
  type TaskExample,
  type TaskMeta,
} from './schema.js';
export { realCountries, SYNTHETIC_CONTINENTS, type Country } from './data/countries.js';
export { syntheticCountries } from './data/synthetic.js';
export { wordnetDistractors, wordnetNounGlosses, type WordnetGloss } from './data/wordnet.js';
export { buildCorpusIndex, capitalText, countryDocuments, countryText, writeCorpusJsonl } from './corpus.js';
export {
  COMPUTE_TEMPLATES,
  COMPUTE_TYPES,
  KNOWLEDGE_MULTI_HOP,
  KNOWLEDGE_SINGLE_HOP,
  KNOWLEDGE_TEMPLATES,
  KNOWLEDGE_TYPES,
  MIXED_TEMPLATES,
  MIXED_TYPES,
  type ComputeType,
  type KnowledgeType,
  type MixedType,
} from './templates.js';
export {
  conditionValue,
  DEEP_SEARCH_TEMPLATES,
  DEEP_SEARCH_TYPES,
  deepSearchAnswers,
  parseDeepSearchQuestion,
  type DeepSearchCondition,
  type DeepSearchField,
  type DeepSearchType,
} from './deep-search.js';
export {
  generateTasks,
  splitExamples,
  TaskGenerationConfigSchema,
  type TaskEntities,
  type TaskGenerationConfig,
  type TaskGenerationConfigInput,
  type TaskSet,
} from './generate.js';
export { writeTaskSet, type WrittenTaskSet } from './write-task-set.js';
export {
  COMPACT_SYSTEM_PROMPT,
  PROMPT_FORMATS,
  REFERENCE_SYSTEM_PROMPT,
  promptFormat,
  promptMessages,
  renderPrompt,
  type PromptFormat,
  type PromptFormatName,
} from './prompts.js';
export {
  ALL_IMPERFECT_KINDS,
  createDisabledToolExecutor,
  IMPERFECT_KINDS,
  solveAll,
  solveExample,
  type Demonstration,
  type DemonstrationSegment,
  type ImperfectKind,
  type Imperfection,
  type SolverOptions,
} from './solver.js';
export {
  loadDataset,
  parseDatasetText,
  readExamplesJsonl,
  ReferenceRowSchema,
  SimpleRowSchema,
  splitListAnswer,
  writeExamplesJsonl,
  type LoadDatasetOptions,
  type LoadedDataset,
} from './dataset.js';
export {
  callLimitText,
  evaluate,
  EvaluateConfigSchema,
  mathAnswersEqual,
  passAtK,
  REPEATED_SEARCH_TEXT,
  scoreResponse,
  summarize,
  type EvaluateConfig,
  type EvaluateOptions,
  type EvaluationProgress,
  type EvaluationResult,
  type EvaluationRow,
  type EvaluationSummary,
  type ResponseScores,
} from './evaluate.js';
export { toJsonl, writeJsonl } from './jsonl.js';
