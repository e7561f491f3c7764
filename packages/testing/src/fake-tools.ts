import type { Tool, ToolCallRecord, ToolCallRequest, ToolExecutor, ToolResult } from '@arpo/core';

/** A {@link Tool} named `name` that answers `${prefix}${input}` (default prefix `R:`); it records its inputs. */
export function echoTool(name = 'search', prefix = 'R:'): Tool & { readonly inputs: string[] } {
  const inputs: string[] = [];
  return {
    specificationVersion: 'v1',
    name,
    description: `echoes its input after '${prefix}'`,
    inputs,
    async execute(input: string): Promise<ToolResult> {
      inputs.push(input);
      return { status: 'ok', text: `${prefix}${input}` };
    },
  };
}

/**
 * A {@link ToolExecutor} double: every call of a known tool gets `R:<input>` at once (no retries, no timeouts), an
 * unknown tool an error record; it records each round's calls, so tests can assert what the rollout engine asked for.
 */
export class EchoToolExecutor implements ToolExecutor {
  readonly rounds: ToolCallRequest[][] = [];
  constructor(readonly toolNames: readonly string[] = ['search', 'python']) {}

  async executeAll(calls: readonly ToolCallRequest[]): Promise<ToolCallRecord[]> {
    this.rounds.push([...calls]);
    return calls.map((c) =>
      this.toolNames.includes(c.tool)
        ? { tool: c.tool, input: c.input, output: `R:${c.input}`, status: 'ok', durationMs: 1, attempts: 1, cached: false }
        : { tool: c.tool, input: c.input, output: `Error: Tool(${c.tool}) is not registered.`, status: 'error', durationMs: 0, attempts: 1, cached: false },
    );
  }
}
