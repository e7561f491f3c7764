import { ArpoConfigError } from './errors.js';
import type { Tool } from './tool.js';
import { toolStopStrings } from './tool-call-parser.js';

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The tools a rollout can call, by tag. Tags are unique; their closing tags are the policy's stop strings. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Iterable<Tool> = []) {
    for (const tool of tools) this.register(tool);
  }

  /** Adds a tool; a duplicate or malformed tag is an error naming it. */
  register(tool: Tool): this {
    if (tool.specificationVersion !== 'v1') {
      throw new ArpoConfigError('tool', [
        { field: `${tool.name}.specificationVersion`, value: tool.specificationVersion, expected: '"v1"' },
      ]);
    }
    if (!TAG_NAME.test(tool.name)) {
      throw new ArpoConfigError('tool', [{ field: 'name', value: tool.name, expected: 'a tag name (a letter, then letters, digits, _ or -)' }]);
    }
    if (tool.name === 'result' || tool.name === 'answer' || tool.name === 'think') {
      throw new ArpoConfigError('tool', [{ field: 'name', value: tool.name, expected: 'a tag other than the reserved result, answer and think' }]);
    }
    if (this.tools.has(tool.name)) {
      throw new ArpoConfigError('tool registry', [{ field: 'name', value: tool.name, expected: 'a tag not registered yet' }]);
    }
    this.tools.set(tool.name, tool);
    return this;
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  /** Registered tags in registration order. */
  get names(): string[] {
    return [...this.tools.keys()];
  }

  /** `</tag>` for every registered tool. */
  stopStrings(): string[] {
    return toolStopStrings(this.names);
  }
}
