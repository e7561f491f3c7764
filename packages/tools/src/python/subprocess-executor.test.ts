import { existsSync } from 'node:fs';
import { ArpoConfigError } from '@arpo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SubprocessPythonExecutor } from './subprocess-executor.js';
import { isRoot } from './system.js';

const run = (ex: SubprocessPythonExecutor, code: string, timeoutMs = 20_000) => ex.run(code, { timeoutMs });

describe('SubprocessPythonExecutor: config', () => {
  it('has the documented defaults', () => {
    const c = new SubprocessPythonExecutor().config;
    expect(c).toMatchObject({
      interpreter: 'python3',
      memoryBytes: 1024 ** 3,
      maxFileBytes: 16 * 1024 ** 2,
      maxOpenFiles: 256,
      maxProcesses: 256,
      maxStdoutBytes: 1024 ** 2,
      maxStderrBytes: 1024 ** 2,
      namespaces: 'auto',
      isolatedMode: false,
      wrapLastExpression: true,
    });
    expect(c.cpuSeconds).toBeUndefined();
  });

  it('rejects bad values naming field, value and expectation', () => {
    const err = (opts: unknown) => {
      try {
        new SubprocessPythonExecutor(opts as never);
      } catch (e) {
        return e as ArpoConfigError;
      }
      throw new Error('did not throw');
    };
    const e = err({ memoryBytes: 10 });
    expect(e).toBeInstanceOf(ArpoConfigError);
    expect(e.field).toBe('memoryBytes');
    expect(e.value).toBe(10);
    expect(e.expected).toBe('a number >= 67108864');
    expect(err({ namespaces: 'maybe' }).expected).toContain('"auto"');
    expect(err({ cpuSeconds: 1.5 }).field).toBe('cpuSeconds');
    expect(err({ env: { 'BAD NAME': 'x' } }).field).toBe('env.BAD NAME');
    expect(err({ interpreterPath: 'x' }).field).toBe('interpreterPath');
  });

  it('rejects a bad timeout per run', async () => {
    const ex = new SubprocessPythonExecutor();
    await expect(ex.run('1', { timeoutMs: 0 })).rejects.toBeInstanceOf(ArpoConfigError);
    await expect(ex.run('1', { timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
  });

  it('a missing interpreter rejects with a clear message (and the probe can be retried)', async () => {
    const ex = new SubprocessPythonExecutor({ interpreter: '/nonexistent/python3' });
    await expect(ex.run('1', { timeoutMs: 1000 })).rejects.toThrow(/Python interpreter '\/nonexistent\/python3' could not be started/);
    await expect(ex.init()).rejects.toThrow(/could not be started/);
  });
});

describe('SubprocessPythonExecutor: default isolation', () => {
  const ex = new SubprocessPythonExecutor();
  beforeAll(async () => {
    await ex.init();
  }, 60_000);

  it('describes what it probed', () => {
    const iso = ex.isolation!;
    expect(iso.interpreter.version).toMatch(/^3\.\d+\.\d+$/);
    expect(ex.describe()).toContain(iso.interpreter.executable);
    if (isRoot() && iso.mode !== 'namespaces') console.warn(`[subprocess] namespace sandbox not available: ${iso.notes.join('; ')}`);
  });

  it('returns stdout, stderr, exit code and timing', async () => {
    const r = await run(ex, 'import sys\nprint("out")\nprint("err", file=sys.stderr)\n7');
    expect(r).toMatchObject({ stdout: 'out\n7\n', stderr: 'err\n', exitCode: 0, signal: null, timedOut: false, aborted: false });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('kills on timeout and reports it', async () => {
    const r = await run(ex, 'import time\nprint("started", flush=True)\ntime.sleep(30)', 700);
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL', limitExceeded: 'time', stdout: 'started\n' });
    expect(r.durationMs).toBeLessThan(3000);
  });

  it('the CPU limit stops a busy loop and says so', async () => {
    const cpu = new SubprocessPythonExecutor({ cpuSeconds: 1 });
    const r = await run(cpu, 'while True:\n    pass', 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.limitExceeded).toBe('cpu');
    expect(r.stderr).toBe('The program was stopped after using its CPU time limit of 1 second.\n');
  });

  it('an already-aborted signal does not start anything', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await ex.run('print(1)', { timeoutMs: 1000, signal: controller.signal });
    expect(r).toMatchObject({ aborted: true, exitCode: null, stdout: '' });
  });

  it('caps captured output and flags it', async () => {
    const small = new SubprocessPythonExecutor({ maxStdoutBytes: 1000, maxStderrBytes: 500 });
    const r = await run(small, "import sys\nprint('x' * 5000)\nprint('y' * 5000, file=sys.stderr)");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('x'.repeat(1000));
    expect(r.stderr).toBe('y'.repeat(500));
    expect(r.outputTruncated).toBe(true);
  });

  it('isolatedMode runs python -I; wrapLastExpression: false disables the AST pass', async () => {
    expect((await run(new SubprocessPythonExecutor({ isolatedMode: true }), 'import sys; sys.flags.isolated')).stdout).toBe('1\n');
    expect((await run(ex, 'import sys; sys.flags.isolated')).stdout).toBe('0\n');
    expect((await run(new SubprocessPythonExecutor({ wrapLastExpression: false }), '1+1')).stdout).toBe('');
  });

  it('extra environment variables reach the code; nothing else does', async () => {
    const withEnv = new SubprocessPythonExecutor({ env: { MY_SETTING: '42' } });
    const r = await run(withEnv, "import os; print(os.environ.get('MY_SETTING'), os.environ.get('OPENBLAS_NUM_THREADS'), os.environ['LANG'])");
    expect(r.stdout).toBe('42 None C.UTF-8\n');
  });

  it.runIf(isRoot())('each run gets its own unprivileged uid (namespace mode)', async (ctx) => {
    if (ex.isolation?.mode !== 'namespaces') ctx.skip();
    const [a, b] = await Promise.all([run(ex, 'import os; os.getuid()'), run(ex, 'import os; os.getuid()')]);
    expect(Number(a.stdout)).toBeGreaterThanOrEqual(ex.config.uidBase);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it.runIf(isRoot())('namespace mode: read-only host, private /tmp, no network, own PID namespace', async (ctx) => {
    if (ex.isolation?.mode !== 'namespaces') ctx.skip();
    const r = await run(
      ex,
      [
        'import os, socket',
        'out = [os.getcwd(), os.getppid(), sorted(os.listdir("/tmp"))]',
        'for p in ("/etc/arpo-test", "/var/tmp/arpo-test"):',
        '    try:',
        '        open(p, "w")',
        '        out.append("wrote " + p)',
        '    except OSError as e:',
        '        out.append(e.strerror)',
        'try:',
        '    socket.create_connection(("1.1.1.1", 53), timeout=1)',
        '    out.append("net")',
        'except OSError as e:',
        '    out.append("no net")',
        'out',
      ].join('\n'),
    );
    expect(r.stdout.trim()).toBe("['/tmp', 1, [], 'Read-only file system', 'Read-only file system', 'no net']");
  });
});

describe('SubprocessPythonExecutor: fallback without namespaces', () => {
  const ex = new SubprocessPythonExecutor({ namespaces: 'off' });
  beforeAll(async () => {
    await ex.init();
  }, 60_000);

  it('runs code in a fresh temp directory that is removed afterwards', async () => {
    const r = await run(ex, "import os\nopen('x.txt', 'w').write('1')\nos.getcwd()");
    const dir = r.stdout.trim();
    expect(dir).toMatch(/arpo-py-/);
    expect(existsSync(dir)).toBe(false);
    expect(ex.isolation?.mode).toBe('basic');
    expect(ex.describe()).toContain('basic isolation');
  });

  it('gives the same answers as the namespace sandbox', async () => {
    expect((await run(ex, "print('a')\n2")).stdout).toBe('a\n2\n');
    expect((await run(ex, 'import numpy as np; np.arange(4).sum()')).stdout).toBe('6\n');
  });

  it('kills a background process that left the process group and the environment marker', async () => {
    const marker = `arpo-bg-${process.pid}-${Date.now()}`;
    const r = await run(
      ex,
      `import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '${marker}'], env={}, start_new_session=True)\nprint('ok')`,
    );
    expect(r.stdout).toBe('ok\n');
    const { findProcessesWithArgv } = await import('./proc.js');
    expect(findProcessesWithArgv(marker)).toEqual([]);
  });
});
