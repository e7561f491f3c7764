export type { PythonExecutor, PythonRunOptions, PythonRunResult } from './python-executor.js';
export {
  SubprocessPythonExecutorConfigSchema,
  BubblewrapPythonExecutorConfigSchema,
  PythonToolConfigSchema,
  type SubprocessPythonExecutorConfig,
  type SubprocessPythonExecutorOptions,
  type BubblewrapPythonExecutorConfig,
  type BubblewrapPythonExecutorOptions,
  type PythonToolConfig,
  type PythonToolOptions,
} from './config.js';
export { SubprocessPythonExecutor, type SubprocessIsolation } from './subprocess-executor.js';
export {
  BubblewrapPythonExecutor,
  detectBubblewrap,
  type BubblewrapDetection,
  type BubblewrapIsolation,
} from './bubblewrap-executor.js';
export {
  createPythonExecutor,
  type CreatePythonExecutorOptions,
  type CreatedPythonExecutor,
  type PythonIsolation,
} from './create-python-executor.js';
export { createPythonTool, pythonStrip, pythonTimeoutText, pythonToolResult, type PythonTool } from './python-tool.js';
