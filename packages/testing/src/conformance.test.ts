import { createToolExecutor, type Generation, type Policy, type Tool } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { ConformanceError, type ConformanceCheck } from './conformance/conformance-check.js';
import { policyConformance } from './conformance/policy-conformance.js';
import { toolConformance, toolExecutorConformance } from './conformance/tool-conformance.js';
import { echoTool, EchoToolExecutor } from './fake-tools.js';
import { ScriptedPolicy } from './scripted-policy.js';

const scripted = () => new ScriptedPolicy(() => ({ text: 'hello world', finish: 'eos' }), () => 0);
const register = (checks: ConformanceCheck[]) => checks.forEach((c) => it(c.name, c.run));

describe('the test doubles meet the contracts', () => {
  describe('ScriptedPolicy', () => register(policyConformance(scripted)));
  describe('echoTool', () => register(toolConformance(() => echoTool('search'))));
  describe('EchoToolExecutor', () => register(toolExecutorConformance(() => new EchoToolExecutor(['search']))));
  describe("core's default executor over echoTool", () => register(toolExecutorConformance(() => createToolExecutor([echoTool('search')]))));
});

/** Runs a suite and returns the failures' messages by check name. */
async function failures(checks: ConformanceCheck[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of checks) {
    try {
      await c.run();
    } catch (e) {
      out[c.name] = e instanceof ConformanceError ? e.message : `not a ConformanceError: ${String(e)}`;
    }
  }
  return out;
}

describe('the suites catch broken implementations', () => {
  it('a policy with short log-prob arrays and unseeded sampling fails, naming the field', async () => {
    let calls = 0;
    const broken: Policy = Object.assign(scripted(), {
      async generate(): Promise<Generation[]> {
        calls++;
        return [{ tokens: [104, 105 + (calls % 2)], logprobs: [-0.1], finishReason: 'eos' as const }];
      },
    });
    const f = await failures(policyConformance(() => broken));
    expect(f['Policy.generate: one well-formed generation per prefix, per-sequence caps']).toBe(
      'Invalid Policy.generate result: generations.length = 1 (expected 2, one generation per prefix)',
    );
    expect(f['Policy.generate: greedy (T = 0) repeats']).toBe(
      'Invalid Policy.generate result: generations[0].logprobs.length = 1 (expected 2, one per token)',
    );
  });

  it('a tool that throws on empty input and one with a bad tag fail', async () => {
    const throwing: Tool = {
      specificationVersion: 'v1',
      name: 'bad tag',
      execute: async (input) => {
        if (input === '') throw new Error('empty!');
        return { status: 'ok', text: input };
      },
    };
    const f = await failures(toolConformance(() => throwing));
    expect(f['Tool: contract fields']).toBe('Tool.name: is "bad tag" (expected a tag name: letters, digits, _ or -)');
    expect(f['Tool.execute: an empty or hostile input is a result, not a rejection']).toBe('Tool(bad tag).execute(""…): threw Error: empty!');
  });

  it('an executor that drops calls fails', async () => {
    const dropping = { toolNames: ['search'], executeAll: async () => [] };
    const f = await failures(toolExecutorConformance(() => dropping));
    expect(f['ToolExecutor.executeAll: one record per call, in call order, an unknown tool included']).toBe(
      'Invalid ToolExecutor.executeAll result: records.length = 0 (expected 3, one per call)',
    );
  });
});
