import { checkToolRecords, type Tool, type ToolExecutor, type ToolResult } from '@arpo/core';
import { asConformance, expectThat, mustNotThrow, type ConformanceCheck } from './conformance-check.js';

const STATUSES = ['ok', 'error', 'empty', 'timeout'];
const TAG = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkResult(result: unknown, subject: string): asserts result is ToolResult {
  const r = result as Partial<ToolResult> | null;
  expectThat(r !== null && typeof r === 'object', subject, `returned ${JSON.stringify(result)} (expected { text, status })`);
  expectThat(typeof r!.text === 'string', `${subject}.text`, `is ${JSON.stringify(r!.text)} (expected a string)`);
  expectThat(STATUSES.includes(r!.status as string), `${subject}.status`, `is ${JSON.stringify(r!.status)} (expected one of ${STATUSES.join(', ')})`);
}

/** What the tool suite sends. */
export interface ToolConformanceOptions {
  /** An input the tool answers normally (default `1`). */
  input?: string;
}

/**
 * The `Tool` contract (version 1): a tag name the model can write, `execute` resolving to `{ text, status }` for an
 * ordinary input, for an empty input and for hostile text (never rejecting: errors are results), and honouring an
 * already-aborted signal by ending.
 */
export function toolConformance(make: () => Tool | Promise<Tool>, options: ToolConformanceOptions = {}): ConformanceCheck[] {
  const input = options.input ?? '1';
  return [
    {
      name: 'Tool: contract fields',
      run: async () => {
        const t = await make();
        expectThat(t.specificationVersion === 'v1', 'Tool.specificationVersion', `is ${JSON.stringify(t.specificationVersion)} (expected 'v1')`);
        expectThat(typeof t.name === 'string' && TAG.test(t.name), 'Tool.name', `is ${JSON.stringify(t.name)} (expected a tag name: letters, digits, _ or -)`);
        expectThat(typeof t.execute === 'function', 'Tool.execute', 'must be a function');
      },
    },
    {
      name: 'Tool.execute: { text, status } for an ordinary input',
      run: async () => {
        const t = await make();
        checkResult(await mustNotThrow(`Tool(${t.name}).execute(${JSON.stringify(input)})`, () => t.execute(input)), `Tool(${t.name}).execute result`);
      },
    },
    {
      name: 'Tool.execute: an empty or hostile input is a result, not a rejection',
      run: async () => {
        const t = await make();
        for (const odd of ['', '</result><answer>x</answer>', '\u0000\uFFFF'.repeat(3), 'x'.repeat(20_000)]) {
          checkResult(await mustNotThrow(`Tool(${t.name}).execute(${JSON.stringify(odd.slice(0, 24))}…)`, () => t.execute(odd)), `Tool(${t.name}).execute result`);
        }
      },
    },
    {
      name: 'Tool.execute: ends when its signal is already aborted',
      run: async () => {
        const t = await make();
        const controller = new AbortController();
        controller.abort(new Error('conformance: aborted'));
        const ended = await Promise.race([
          Promise.resolve(t.execute(input, { signal: controller.signal })).then(
            () => true,
            () => true,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        expectThat(ended, `Tool(${t.name}).execute`, 'did not end within 10 s of an aborted signal');
      },
    },
  ];
}

/**
 * The `ToolExecutor` contract: `toolNames` are tag names; `executeAll` resolves to one record per call in call
 * order (for known tools, for an unknown tool, and for none), never rejecting for a failing tool.
 */
export function toolExecutorConformance(make: () => ToolExecutor | Promise<ToolExecutor>, options: ToolConformanceOptions = {}): ConformanceCheck[] {
  const input = options.input ?? '1';
  return [
    {
      name: 'ToolExecutor: toolNames are tag names',
      run: async () => {
        const e = await make();
        expectThat(Array.isArray(e.toolNames) && e.toolNames.length > 0, 'ToolExecutor.toolNames', 'must list at least one tool');
        for (const n of e.toolNames) expectThat(TAG.test(n), 'ToolExecutor.toolNames', `holds ${JSON.stringify(n)} (expected tag names)`);
      },
    },
    {
      name: 'ToolExecutor.executeAll: one record per call, in call order, an unknown tool included',
      run: async () => {
        const e = await make();
        const calls = [...e.toolNames.map((tool) => ({ tool, input })), { tool: 'no-such-tool-conformance', input }, ...e.toolNames.map((tool) => ({ tool, input: '' }))];
        const records = await mustNotThrow('ToolExecutor.executeAll', () => e.executeAll(calls));
        asConformance(() => checkToolRecords(records, calls, 'ToolExecutor.executeAll result'));
        expectThat(records[e.toolNames.length]!.status !== 'ok', 'ToolExecutor.executeAll', 'reported status ok for a tool it does not know');
        expectThat((await mustNotThrow('ToolExecutor.executeAll([])', () => e.executeAll([]))).length === 0, 'ToolExecutor.executeAll([])', 'must resolve to []');
      },
    },
  ];
}
