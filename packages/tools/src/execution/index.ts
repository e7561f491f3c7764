// Public surface of tool execution (re-exported from src/index.ts).
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
export { Semaphore } from './semaphore.js';
