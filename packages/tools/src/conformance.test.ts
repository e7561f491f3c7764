import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { toolConformance, toolExecutorConformance } from '@arpo/testing';
import type { Tool } from '@arpo/core';
import { createToolExecutor } from '@arpo/core';
import { createPythonExecutor } from './python/create-python-executor.js';
import { createPythonTool } from './python/python-tool.js';
import { createSearchTool } from './search/search-tool.js';
import { buildSqliteIndex, openSqliteIndex } from './search/sqlite-index.js';

// @arpo/testing's conformance suites against the tools we ship: real SQLite search and the sandboxed Python tool.
const dir = mkdtempSync(join(tmpdir(), 'arpo-tools-conformance-'));
let search: Tool;
let python: Tool;
beforeAll(async () => {
  const corpus = join(dir, 'corpus.jsonl');
  writeFileSync(corpus, `${JSON.stringify({ id: 'fr', title: 'France', text: 'The capital of France is Paris.' })}\n`);
  await buildSqliteIndex(corpus, join(dir, 'wiki.sqlite'));
  search = createSearchTool(openSqliteIndex(join(dir, 'wiki.sqlite')));
  const { executor } = await createPythonExecutor({ log: () => undefined });
  python = createPythonTool(executor, { timeoutMs: 20_000 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the search tool meets the Tool conformance suite', () => {
  for (const c of toolConformance(() => search, { input: 'capital of France' })) it(c.name, c.run, 30_000);
});
describe('the Python tool meets the Tool conformance suite', () => {
  for (const c of toolConformance(() => python, { input: 'print(6 * 7)' })) it(c.name, c.run, 60_000);
});
describe('the default executor over both meets the ToolExecutor conformance suite', () => {
  for (const c of toolExecutorConformance(() => createToolExecutor([search, python]), { input: 'print(1)' })) it(c.name, c.run, 60_000);
});
