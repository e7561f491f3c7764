import { createRng } from './rng.js';
import type { Tool, ToolResult } from './tool.js';
import { describe, expect, it } from 'vitest';
import { createToolExecutor } from './tool-executor.js';
import { ToolRegistry } from './tool-registry.js';

/** A scripted tool: each call consumes the next behaviour. */
function scriptedTool(name: string, script: (ToolResult | Error | 'hang')[]): Tool & { calls: string[] } {
  const calls: string[] = [];
  return {
    specificationVersion: 'v1',
    name,
    calls,
    execute(input, context) {
      calls.push(input);
      const next = script.shift() ?? { text: 'default', status: 'ok' };
      if (next === 'hang') {
        return new Promise((_, reject) => context?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve(next);
    },
  };
}

describe('DefaultToolExecutor', () => {
  it('executes calls concurrently, results aligned with the calls', async () => {
    const search = scriptedTool('search', [{ text: 'Page 1: a', status: 'ok' }, { text: 'Page 1: b', status: 'ok', cached: true }]);
    const executor = createToolExecutor([search]);
    const records = await executor.executeAll([
      { tool: 'search', input: 'a' },
      { tool: 'search', input: 'b' },
    ]);
    expect(records.map((r) => [r.input, r.output, r.status, r.attempts, r.cached])).toEqual([
      ['a', 'Page 1: a', 'ok', 1, false],
      ['b', 'Page 1: b', 'ok', 1, true],
    ]);
    expect(executor.stopStrings()).toEqual(['</search>']);
  });

  it('retries a thrown error, then succeeds', async () => {
    const tool = scriptedTool('search', [new Error('HTTP 503'), new Error('HTTP 503'), { text: 'ok now', status: 'ok' }]);
    const [record] = await createToolExecutor([tool], { retries: 3 }).executeAll([{ tool: 'search', input: 'q' }]);
    expect(record).toMatchObject({ output: 'ok now', status: 'ok', attempts: 3 });
  });

  it('after all retries of an error, gives the reference failure text', async () => {
    const tool = scriptedTool('search', [new Error('boom'), new Error('boom'), new Error('boom')]);
    const [record] = await createToolExecutor([tool], { retries: 2 }).executeAll([{ tool: 'search', input: 'q' }]);
    expect(record).toMatchObject({ output: 'Error: Tool(search) execution failed with message: boom', status: 'error', attempts: 3 });
  });

  it('retries empty output 3 times (4 attempts), then "Tool(<tag>) returned empty output."', async () => {
    const tool = scriptedTool('python', [
      { text: '', status: 'empty' },
      { text: '  ', status: 'ok' },
      { text: '', status: 'empty' },
      { text: '', status: 'empty' },
      { text: 'never reached', status: 'ok' },
    ]);
    const [record] = await createToolExecutor([tool]).executeAll([{ tool: 'python', input: 'x = 1' }]);
    expect(record).toMatchObject({ output: 'Tool(python) returned empty output.', status: 'empty', attempts: 4 });
    expect(tool.calls).toHaveLength(4);
  });

  it('does not retry a traceback (status error) unless the tool says it is retryable', async () => {
    const python = scriptedTool('python', [{ text: 'NameError: x', status: 'error' }]);
    const search = scriptedTool('search', [{ text: 'connection reset', status: 'error', retryable: true }, { text: 'Page 1: y', status: 'ok' }]);
    const executor = createToolExecutor([python, search]);
    const [a, b] = await executor.executeAll([
      { tool: 'python', input: 'x' },
      { tool: 'search', input: 'y' },
    ]);
    expect(a).toMatchObject({ output: 'NameError: x', status: 'error', attempts: 1 });
    expect(b).toMatchObject({ output: 'Page 1: y', status: 'ok', attempts: 2 });
  });

  it('times out a hanging call, aborts it, and does not retry it', async () => {
    const tool = scriptedTool('search', ['hang', { text: 'late', status: 'ok' }]);
    const [record] = await createToolExecutor([tool], { timeoutMs: 30 }).executeAll([{ tool: 'search', input: 'q' }]);
    expect(record).toMatchObject({ status: 'timeout', attempts: 1, output: 'Error: Tool(search) execution failed with message: timed out after 0.03 s' });
  });

  it('an unknown tool and a malformed result become error texts, never rejections', async () => {
    const bad: Tool = { specificationVersion: 'v1', name: 'bad', execute: () => Promise.resolve({ nope: 1 } as unknown as ToolResult) };
    const executor = createToolExecutor([bad], { retries: 0 });
    const [unknown, malformed] = await executor.executeAll([
      { tool: 'browse', input: 'x' },
      { tool: 'bad', input: 'y' },
    ]);
    expect(unknown).toMatchObject({ status: 'error', output: 'Error: Tool(browse) is not registered (known: bad).' });
    expect(malformed).toMatchObject({ status: 'error', output: 'Error: Tool(bad) execution failed with message: returned {"nope":1} instead of { text, status }' });
  });

  it('truncates a 1 MB output to maxOutputChars', async () => {
    const tool = scriptedTool('python', [{ text: 'y'.repeat(1_000_000), status: 'ok' }]);
    const [record] = await createToolExecutor([tool], { maxOutputChars: 100 }).executeAll([{ tool: 'python', input: 'print' }]);
    expect(record!.output).toBe(`${'y'.repeat(100)}\n[... 999900 more characters truncated]`);
  });

  it('measures durations with the injected clock', async () => {
    let t = 1000;
    const tool: Tool = {
      specificationVersion: 'v1',
      name: 'search',
      execute: () => {
        t += 250;
        return Promise.resolve({ text: 'r', status: 'ok' });
      },
    };
    const executor = createToolExecutor([tool], { now: () => t });
    const [record] = await executor.executeAll([{ tool: 'search', input: 'q' }]);
    expect(record!.durationMs).toBe(250);
    expect(executor.metrics()).toMatchObject({ totalCalls: 1, successfulCalls: 1, failedCalls: 0, avgExecutionMs: 250, maxExecutionMs: 250 });
  });

  it('rejects invalid config and duplicate tools with the field named', () => {
    expect(() => createToolExecutor([], { concurrency: 0 })).toThrow('Invalid tool executor config: concurrency = 0 (expected a number >= 1)');
    const t = scriptedTool('search', []);
    expect(() => new ToolRegistry([t, t])).toThrow('Invalid tool registry: name = "search" (expected a tag not registered yet)');
    expect(() => new ToolRegistry([scriptedTool('result', [])])).toThrow(/reserved/);
    expect(() => new ToolRegistry([scriptedTool('my tool', [])])).toThrow(/name = "my tool" \(expected a tag name/);
  });
});

describe('fault injection: 1,000 calls, 20% thrown, 10% timeouts, 5% empty', () => {
  it('completes with every call accounted for and the concurrency limit never exceeded', async () => {
    const rng = createRng('fault-injection');
    let inFlight = 0;
    let maxInFlight = 0;
    let thrown = 0;
    let hung = 0;
    let empty = 0;
    const flaky: Tool = {
      specificationVersion: 'v1',
      name: 'flaky',
      async execute(input, context) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const u = rng.next();
          await new Promise((r) => setTimeout(r, rng.int(3)));
          if (u < 0.2) {
            thrown += 1;
            throw new Error(`injected failure for ${input}`);
          }
          if (u < 0.3) {
            hung += 1;
            await new Promise((_, reject) => context?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
          }
          if (u < 0.35) {
            empty += 1;
            return { text: '', status: 'empty' };
          }
          return { text: `result ${input}`, status: 'ok' };
        } finally {
          inFlight -= 1;
        }
      },
    };
    const executor = createToolExecutor([flaky], { concurrency: 16, timeoutMs: 25, retries: 3 });
    const calls = Array.from({ length: 1000 }, (_, i) => ({ tool: 'flaky', input: String(i) }));
    const records = await executor.executeAll(calls);

    expect(records).toHaveLength(1000);
    expect(records.every((r, i) => r.input === String(i))).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(16);
    expect(maxInFlight).toBeGreaterThan(1);
    const m = executor.metrics();
    expect(m.totalCalls).toBe(1000);
    expect(m.successfulCalls + m.failedCalls).toBe(1000);
    const byStatus = (s: string) => records.filter((r) => r.status === s).length;
    expect(m.byTool.flaky!.timeouts).toBe(byStatus('timeout'));
    expect(m.byTool.flaky!.empty).toBe(byStatus('empty'));
    expect(m.successfulCalls).toBe(byStatus('ok'));
    // Every attempt is one execute(): attempts summed over records = the tool's invocations.
    const attempts = records.reduce((s, r) => s + r.attempts, 0);
    expect(m.byTool.flaky!.retries).toBe(attempts - 1000);
    expect(thrown + hung + empty).toBeGreaterThan(300);
    expect(byStatus('timeout')).toBeGreaterThan(50);
    for (const r of records) {
      if (r.status === 'ok') expect(r.output).toBe(`result ${r.input}`);
      if (r.status === 'timeout') expect(r.output).toBe('Error: Tool(flaky) execution failed with message: timed out after 0.025 s');
    }
  });
});
