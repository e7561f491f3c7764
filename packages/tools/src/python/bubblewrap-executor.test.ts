import { ArpoConfigError, ArpoError } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { BubblewrapPythonExecutor, detectBubblewrap } from './bubblewrap-executor.js';
import { createPythonExecutor } from './create-python-executor.js';
import { createPythonTool } from './python-tool.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';

const detection = await detectBubblewrap();
if (!detection.available) {
  console.warn(`[bubblewrap] skipping the bubblewrap executor tests: ${detection.reason}`);
}

describe('BubblewrapPythonExecutor: config and detection', () => {
  it('has the documented defaults and validates options', () => {
    const ex = new BubblewrapPythonExecutor();
    expect(ex.config).toMatchObject({ bwrapPath: 'bwrap', sandboxUid: 65_534, readOnlyBinds: [], tmpfsBytes: 64 * 1024 ** 2 });
    expect(() => new BubblewrapPythonExecutor({ readOnlyBinds: ['relative/path'] })).toThrow(ArpoConfigError);
    expect(() => new BubblewrapPythonExecutor({ tmpfsBytes: 5 })).toThrow(/tmpfsBytes = 5/);
  });

  it('a missing bwrap is reported, not thrown, by detectBubblewrap', async () => {
    const d = await detectBubblewrap({ bwrapPath: '/nonexistent/bwrap' });
    expect(d).toEqual({ available: false, reason: expect.stringContaining('not installed') });
  });

  it("createPythonExecutor({ isolation: 'bubblewrap' }) rejects with the reason when bwrap cannot run", async () => {
    await expect(createPythonExecutor({ isolation: 'bubblewrap', bubblewrap: { bwrapPath: '/nonexistent/bwrap' } })).rejects.toThrow(
      ArpoError,
    );
  });

  it("'auto' falls back to the subprocess executor and says why", async () => {
    const lines: string[] = [];
    const created = await createPythonExecutor({ bubblewrap: { bwrapPath: '/nonexistent/bwrap' }, log: (m) => lines.push(m) });
    expect(created.isolation).toBe('subprocess');
    expect(created.executor).toBeInstanceOf(SubprocessPythonExecutor);
    expect(created.reason).toContain('bubblewrap unavailable');
    expect(lines[0]).toContain('not installed');
    expect((await created.executor.run('6*7', { timeoutMs: 20_000 })).stdout).toBe('42\n');
  });

  it("'subprocess' gives the subprocess executor; a bad isolation is a config error", async () => {
    expect((await createPythonExecutor({ isolation: 'subprocess' })).isolation).toBe('subprocess');
    await expect(createPythonExecutor({ isolation: 'docker' as never })).rejects.toBeInstanceOf(ArpoConfigError);
  });
});

describe.skipIf(!detection.available)('BubblewrapPythonExecutor: runs', () => {
  const ex = new BubblewrapPythonExecutor();
  const tool = createPythonTool(ex, { timeoutMs: 20_000 });

  it("'auto' picks bubblewrap here", async () => {
    const created = await createPythonExecutor({ log: () => undefined });
    expect(created.isolation).toBe('bubblewrap');
    expect(created.reason).toContain('bubblewrap is available');
  });

  const cases: [string, string, string][] = [
    ['1+1', 'ok', '2'],
    ["print('a')\n2", 'ok', 'a\n2'],
    ['print(3)', 'ok', '3'],
    ['x = 5', 'empty', ''],
    ['import numpy as np; np.arange(4).sum()', 'ok', '6'],
    ["print('héllo ✓ 你好 🐍')", 'ok', 'héllo ✓ 你好 🐍'],
    ['import os; sorted(os.listdir("/"))', 'ok', "['bin', 'dev', 'lib', 'lib64', 'proc', 'root', 'sbin', 'tmp', 'usr']"],
    ['import os; os.getcwd()', 'ok', '/tmp'],
  ];
  for (const [code, status, text] of cases) {
    it(`${JSON.stringify(code)} → ${status} ${JSON.stringify(text)}`, async () => {
      const r = await tool.execute(code);
      if (code.includes('listdir')) {
        // Which top-level links exist depends on the distribution; the host's /etc, /home, /work never do.
        expect(r.text).not.toMatch(/'etc'|'home'|'work'|'var'/);
        return;
      }
      expect(r).toEqual({ status, text });
    });
  }

  it('a NameError gives the traceback, status error', async () => {
    const r = await tool.execute('undefined_name');
    expect(r).toEqual({
      status: 'error',
      text: 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\nNameError: name \'undefined_name\' is not defined',
    });
  });

  it('the code runs unprivileged and sees no host files', async () => {
    const r = await tool.execute("import os\nprint(os.getuid() != 0, os.path.exists('/etc/passwd'), os.path.exists('/work'))");
    expect(r.text).toBe('True False False');
  });

  it('state does not persist between calls', async () => {
    await tool.execute("open('/tmp/state.txt', 'w').write('x')\nkept = 1");
    expect(await tool.execute("import os; os.path.exists('/tmp/state.txt')")).toEqual({ status: 'ok', text: 'False' });
    expect((await tool.execute('kept')).status).toBe('error');
  });

  it('times out', async () => {
    const r = await ex.run('import time; time.sleep(30)', { timeoutMs: 700 });
    expect(r).toMatchObject({ timedOut: true, limitExceeded: 'time' });
    expect(r.durationMs).toBeLessThan(3000);
  });

  it('describes its isolation', () => {
    expect(ex.describe()).toContain('bubblewrap');
    expect(ex.describe()).toContain('no /etc');
  });
});
