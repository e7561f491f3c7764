// Tool execution lives in @arpo/core (so that rollouts over a plain `Tool[]` need no native dependency);
// re-exported here for code that imports it from @arpo/tools.
export {
  createToolExecutor,
  DefaultToolExecutor,
  ToolExecutorConfigSchema,
  ToolMetrics,
  ToolRegistry,
  type ToolExecutorConfig,
  type ToolExecutorConfigInput,
  type ToolExecutorOptions,
  type ToolMetricsSnapshot,
  type ToolStats,
} from '@arpo/core';
