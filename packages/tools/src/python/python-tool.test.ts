import { ArpoConfigError, type Tool } from '@arpo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PythonExecutor, PythonRunResult } from './python-executor.js';
import { createPythonTool, pythonStrip, pythonTimeoutText, pythonToolResult } from './python-tool.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';

const base: PythonRunResult = {
  stdout: '',
  stderr: '',
  exitCode: 0,
  signal: null,
  timedOut: false,
  aborted: false,
  durationMs: 1,
  outputTruncated: false,
  limitExceeded: null,
};

function fakeExecutor(result: Partial<PythonRunResult> | Error): PythonExecutor & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'fake',
    calls,
    describe: () => 'fake executor',
    run: async (code) => {
      calls.push(code);
      if (result instanceof Error) throw result;
      return { ...base, ...result };
    },
  };
}

describe('pythonStrip (Python str.strip)', () => {
  it('strips what Python strips', () => {
    expect(pythonStrip('  a b \n\t')).toBe('a b');
    expect(pythonStrip('\x1c\x1d\x1e\x1fx\x85\u3000')).toBe('x');
    expect(pythonStrip('\ufeffx')).toBe('\ufeffx'); // JS trim() would strip the BOM; Python does not
    expect(pythonStrip('\n\n')).toBe('');
  });
});

describe('pythonToolResult (reference semantics, spec §6.3)', () => {
  it('exit 0 → stdout stripped, ok', () => {
    expect(pythonToolResult({ ...base, stdout: '\n 2 \n', stderr: 'warning' }, 1000)).toEqual({ status: 'ok', text: '2' });
  });
  it('exit 0 with empty stdout → empty', () => {
    expect(pythonToolResult({ ...base, stdout: ' \n' }, 1000)).toEqual({ status: 'empty', text: '' });
  });
  it('non-zero exit → stderr stripped, error (stdout dropped, as in the reference)', () => {
    expect(pythonToolResult({ ...base, exitCode: 1, stdout: 'partial', stderr: 'Traceback...\nNameError: x\n' }, 1000)).toEqual({
      status: 'error',
      text: 'Traceback...\nNameError: x',
    });
  });
  it('timeout → timeout with an English message', () => {
    expect(pythonToolResult({ ...base, exitCode: null, signal: 'SIGKILL', timedOut: true }, 120_000)).toEqual({
      status: 'timeout',
      text: pythonTimeoutText(120_000),
    });
    expect(pythonTimeoutText(120_000)).toBe('Execution timed out after 120 seconds. The program was stopped; no output is available.');
    expect(pythonTimeoutText(1500)).toContain('1.5 seconds');
    expect(pythonTimeoutText(1000)).toContain('after 1 second.');
  });
  it('failures without stderr say how the process ended', () => {
    expect(pythonToolResult({ ...base, exitCode: 3 }, 1000).text).toBe('Process exited with code 3.');
    expect(pythonToolResult({ ...base, exitCode: null, signal: 'SIGSEGV' }, 1000).text).toBe(
      'Process was killed by signal SIGSEGV (segmentation fault).',
    );
    expect(pythonToolResult({ ...base, exitCode: null, signal: 'SIGKILL' }, 1000).text).toContain('resource limit');
  });
  it('aborted → error', () => {
    expect(pythonToolResult({ ...base, exitCode: null, aborted: true }, 1000).status).toBe('error');
  });
  it('truncated capture gets a note; maxOutputChars cuts', () => {
    expect(pythonToolResult({ ...base, stdout: 'abc', outputTruncated: true }, 1000).text).toMatch(/^abc\n\[output truncated/);
    expect(pythonToolResult({ ...base, stdout: 'abcdef' }, 1000, 3).text).toBe('abc\n[... 3 more characters truncated]');
  });
});

describe('createPythonTool', () => {
  it('is a v1 Tool named python with the reference timeout', () => {
    const tool: Tool = createPythonTool(fakeExecutor({ stdout: '1\n' }));
    expect(tool.specificationVersion).toBe('v1');
    expect(tool.name).toBe('python');
    expect(createPythonTool(fakeExecutor({})).options.timeoutMs).toBe(120_000);
  });

  it('passes the code and the timeout to the executor', async () => {
    const ex = fakeExecutor({ stdout: 'ok\n' });
    let seen: number | undefined;
    const run = ex.run.bind(ex);
    ex.run = async (code, opts) => {
      seen = opts.timeoutMs;
      return run(code, opts);
    };
    const tool = createPythonTool(ex, { timeoutMs: 5000, name: 'py' });
    expect(await tool.execute('print("ok")')).toEqual({ status: 'ok', text: 'ok' });
    expect(ex.calls).toEqual(['print("ok")']);
    expect(seen).toBe(5000);
    expect(tool.name).toBe('py');
  });

  it('never throws when the executor fails', async () => {
    const tool = createPythonTool(fakeExecutor(new Error('no interpreter')));
    await expect(tool.execute('1')).resolves.toEqual({
      status: 'error',
      text: 'The Python interpreter could not be run: no interpreter',
    });
  });

  it('rejects bad options with ArpoConfigError naming field, value and expectation', () => {
    const ex = fakeExecutor({});
    const bad = (opts: unknown) => {
      try {
        createPythonTool(ex, opts as never);
      } catch (error) {
        return error as ArpoConfigError;
      }
      throw new Error('did not throw');
    };
    const e1 = bad({ timeoutMs: 0 });
    expect(e1).toBeInstanceOf(ArpoConfigError);
    expect(e1.field).toBe('timeoutMs');
    expect(e1.value).toBe(0);
    expect(e1.message).toContain('timeoutMs = 0 (expected a number >= 1)');
    expect(bad({ name: 'no spaces' }).field).toBe('name');
    expect(bad({ maxOutputChars: -1 }).field).toBe('maxOutputChars');
    expect(bad({ timeout: 5 }).message).toContain('timeout');
    expect(() => createPythonTool({} as PythonExecutor)).toThrow(ArpoConfigError);
  });
});

describe('the python tool on the default (subprocess) executor', () => {
  let tool: Tool;
  let executor: SubprocessPythonExecutor;
  beforeAll(async () => {
    executor = new SubprocessPythonExecutor();
    await executor.init();
    tool = createPythonTool(executor, { timeoutMs: 20_000 });
  }, 60_000);

  const cases: [string, string, string][] = [
    ['1+1', 'ok', '2'],
    ["print('a')\n2", 'ok', 'a\n2'],
    ['print(3)', 'ok', '3'], // not double-wrapped (that would print 3 then None)
    ['x = 5', 'empty', ''],
    ['x = 1\nx', 'ok', '1'],
    ['1; 2', 'ok', '2'],
    ['print(1)\nprint(2)', 'ok', '1\n2'],
    ['if True:\n    5', 'empty', ''], // only a top-level last expression is printed
    ['None', 'ok', 'None'],
    ['import numpy as np; np.arange(4).sum()', 'ok', '6'],
    ["print('héllo ✓ 你好 🐍')", 'ok', 'héllo ✓ 你好 🐍'],
    ["'ünï'", 'ok', 'ünï'],
    ['__name__', 'ok', '__main__'],
    ['import sys; sys.argv', 'ok', "['-c']"],
    ['[k for k in globals() if not k.startswith("__")]', 'ok', '[]'],
    ["open('f.txt', 'w').write('data'); open('f.txt').read()", 'ok', 'data'],
    ['import math\nmath.factorial(20)', 'ok', '2432902008176640000'],
    ['import sympy\nsympy.factor(sympy.Symbol("x")**2 - 1)', 'ok', '(x - 1)*(x + 1)'],
  ];
  for (const [code, status, text] of cases) {
    it(`${JSON.stringify(code)} → ${status} ${JSON.stringify(text)}`, async () => {
      expect(await tool.execute(code)).toEqual({ status, text });
    });
  }

  it('a NameError gives the traceback from stderr with the real line number', async () => {
    const r = await tool.execute('x = 1\n\ny = undefined_name + x');
    expect(r.status).toBe('error');
    expect(r.text).toBe(
      'Traceback (most recent call last):\n  File "<string>", line 3, in <module>\nNameError: name \'undefined_name\' is not defined',
    );
  });

  it('tracebacks through functions keep their line numbers and show no bootstrap frame', async () => {
    const r = await tool.execute('def f(n):\n    return 1 / n\n\nf(0)');
    expect(r.text).toBe(
      'Traceback (most recent call last):\n  File "<string>", line 4, in <module>\n  File "<string>", line 2, in f\nZeroDivisionError: division by zero',
    );
  });

  it('a SyntaxError gives the usual caret message, exit 1', async () => {
    const r = await tool.execute('x = 1\ny = (');
    expect(r.status).toBe('error');
    expect(r.text).toBe('File "<string>", line 2\n    y = (\n        ^\nSyntaxError: \'(\' was never closed');
  });

  it('a wrapped expression that raises reports its own line', async () => {
    const r = await tool.execute('a = 1\n\n1 / 0');
    expect(r.text).toContain('line 3');
    expect(r.text).toContain('ZeroDivisionError');
  });

  it('sys.exit semantics match python -c', async () => {
    expect(await tool.execute('import sys; print("x"); sys.exit(0)')).toEqual({ status: 'ok', text: 'x' });
    expect(await tool.execute('import sys; sys.exit("bye")')).toEqual({ status: 'error', text: 'bye' });
    expect(await tool.execute('import sys; sys.exit(3)')).toEqual({ status: 'error', text: 'Process exited with code 3.' });
  });

  it('state does not persist between calls', async () => {
    expect(await tool.execute('secret_value = 41\nsecret_value')).toEqual({ status: 'ok', text: '41' });
    const r = await tool.execute('secret_value + 1');
    expect(r.status).toBe('error');
    expect(r.text).toContain("NameError: name 'secret_value' is not defined");
    expect(await tool.execute("import os; os.path.exists('f.txt')")).toEqual({ status: 'ok', text: 'False' });
  });

  it('string hashing is deterministic across calls (PYTHONHASHSEED=0)', async () => {
    const a = await tool.execute("hash('arpo')");
    const b = await tool.execute("hash('arpo')");
    expect(a.status).toBe('ok');
    expect(a.text).toBe(b.text);
  });

  it('input() sees end of file instead of hanging', async () => {
    const r = await tool.execute('input()');
    expect(r.status).toBe('error');
    expect(r.text).toContain('EOFError');
  });

  it('the environment is clean', async () => {
    process.env.ARPO_TOOL_TEST_SECRET = 'should-not-leak';
    const r = await tool.execute('import os; sorted(os.environ)');
    expect(r.text).not.toContain('ARPO_TOOL_TEST_SECRET');
    expect(r.text).toContain("'PYTHONHASHSEED'");
  });

  it('a timeout gives status timeout and the message', async () => {
    const short = createPythonTool(executor, { timeoutMs: 800 });
    const started = Date.now();
    expect(await short.execute('import time; time.sleep(30)')).toEqual({ status: 'timeout', text: pythonTimeoutText(800) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an abort signal stops the run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const r = await tool.execute('import time; time.sleep(30)', { signal: controller.signal });
    expect(r.status).toBe('error');
    expect(r.text).toContain('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('many calls at once all get their own answer', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => tool.execute(`${i} * 10`)));
    expect(results.map((r) => r.text)).toEqual(Array.from({ length: 8 }, (_, i) => String(i * 10)));
  });
});
