// Client: a Policy over OpenAI-compatible completions servers.
export { OpenAIPolicy, type OpenAIPolicyOptions } from './openai-policy.js';
export {
  OpenAIPolicyConfigSchema,
  parseOpenAIPolicyConfig,
  type OpenAIPolicyConfig,
  type OpenAIPolicyConfigInput,
} from './openai-policy-config.js';
export { RetryConfigSchema, type RetryConfig, type RetryConfigInput } from './retry-config.js';
export { CompletionsClient, type ClientStats } from './completions-client.js';
export { ServerPool, type ServerLease, type ServerStats } from './server-pool.js';
export { backoffDelay } from './backoff.js';
export { rowSeed } from './row-seed.js';
export { OpenAIServerError, OpenAIRetriesExhaustedError, type ServerErrorKind } from './server-error.js';
export { parseChoice, parseCompletionResponse } from './parse-choice.js';
export { parseLogprobs, parseTokens, type ParseContext, type ParsedLogprobs } from './parse-logprobs.js';
export { withEntropyEstimates, type FullEntropyEstimate, type OpenAIGeneration } from './entropy-estimates.js';
export { TOKEN_ID_PREFIX, formatTokenIdString, parseTokenIdString } from './token-id-string.js';

// Server: any Policy over the same API.
export {
  CompletionsServer,
  createCompletionsServer,
  serveCompletions,
  type CompletionsServerOptions,
  type CompletionsServerStats,
} from './completions-server.js';
export {
  CompletionsServerConfigSchema,
  parseCompletionsServerConfig,
  type CompletionsServerConfig,
  type CompletionsServerConfigInput,
} from './completions-server-config.js';
export type { SchedulerStats } from './batch-scheduler.js';
export { parseCompletionRequest, type RequestLimits } from './parse-completion-request.js';
export { formatCompletion } from './format-completion.js';
export { RequestError } from './request-error.js';
export type { CompletionJob, JobSeed } from './completion-job.js';

// The wire format.
export type {
  ChoiceLogprobs,
  CompletionChoice,
  CompletionPrompt,
  CompletionRequestBody,
  CompletionResponse,
  ContentLogprob,
  ContentTopLogprob,
  ErrorResponse,
  LegacyLogprobs,
} from './wire-types.js';
