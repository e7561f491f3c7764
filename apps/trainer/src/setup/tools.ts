import type { Tool, ToolExecutor } from '@arpo/core';
import { createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex, type PythonExecutor } from '@arpo/tools';
import type { TrainerConfig } from '../config/trainer-config.js';

/** The tool executor of a run and how to shut its resources down. */
export interface RunTools {
  executor: ToolExecutor;
  /** Tool names enabled. */
  names: string[];
  close(): Promise<void>;
}

/** Opens the search index and starts the Python sandbox as the config asks (`tools` section). */
export async function createRunTools(config: TrainerConfig, indexPath: string, log: (m: string) => void = () => {}): Promise<RunTools> {
  const t = config.tools;
  const tools: Tool[] = [];
  const closers: Array<() => Promise<void> | void> = [];
  if (t.search.enabled) {
    const backend = openSqliteIndex(indexPath);
    closers.push(() => backend.close());
    tools.push(createSearchTool(backend, { topK: t.search.topK, snippetChars: t.search.snippetChars }));
  }
  if (t.python.enabled) {
    const python: PythonExecutor = (await createPythonExecutor({ isolation: t.python.isolation, log })).executor;
    closers.push(async () => {
      await python.close?.();
    });
    tools.push(createPythonTool(python));
  }
  const executor = createToolExecutor(tools, { concurrency: t.concurrency, timeoutMs: t.timeoutMs, retries: t.retries });
  return {
    executor,
    names: tools.map((x) => x.name),
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
