// Runnable README example: node examples/quickstart.mjs (after `npx nx run @arpo/tasks:build`).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDisabledToolExecutor, generateTasks, solveAll, splitExamples, writeTaskSet } from '@arpo/tasks';
import { createPythonExecutor, createPythonTool, createSearchTool, createToolExecutor, openSqliteIndex } from '@arpo/tools';

// 1. Suites, splits and corpus, deterministic by seed; written as JSONL with a SQLite search index.
const set = generateTasks({ seed: 0, sizes: { train: 100, validation: 20, test: 50 } });
const files = await writeTaskSet(set, mkdtempSync(join(tmpdir(), 'arpo-tasks-')), { index: true });
console.log(`corpus: ${set.corpus.length} documents; test: ${splitExamples(set, 'test').length} examples`);
console.log(Object.keys(files.examples).join(' '));

// 2. Real tools: BM25 search over the corpus (top 3 here, 10 by default) and the sandboxed Python interpreter.
const { executor: sandbox } = await createPythonExecutor({ log: () => {} });
const tools = createToolExecutor([createSearchTool(openSqliteIndex(files.index), { topK: 3 }), createPythonTool(sandbox)]);

// 3. A scripted SFT demonstration: real tool calls, real results, reward 1.1 (correct, both tools).
const example = set.suites.mixed.test[0];
const [demo] = await solveAll([example], tools, { format: 'compact' });
console.log(demo.prompt + demo.response);
console.log('gold:', example.answers, 'reward:', demo.reward);

// 4. The same suite without tools: the solver can only guess.
const test = set.suites.mixed.test;
const solved = await solveAll(test, tools);
const blind = await solveAll(test, createDisabledToolExecutor());
const rate = (ds) => ds.filter((d) => d.reward >= 1).length / ds.length;
console.log(`mixed test: ${rate(solved)} with tools, ${rate(blind)} without`);
await sandbox.close?.();
