import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendantsOf, findProcessesWithArgv, killProcessTree, parseProcStat, readProcessTableSync } from './proc.js';

describe('/proc helpers', () => {
  it('parses stat lines whose command contains spaces and parentheses', () => {
    expect(parseProcStat(42, '42 (a b) (c)) S 7 42 42 0 -1 4194560')).toEqual({ pid: 42, ppid: 7, pgid: 42, state: 'S' });
    expect(parseProcStat(1, 'garbage')).toBeNull();
  });

  it('walks descendants', () => {
    const table = [
      { pid: 2, ppid: 1, pgid: 2, state: 'S' },
      { pid: 3, ppid: 2, pgid: 2, state: 'S' },
      { pid: 4, ppid: 3, pgid: 4, state: 'S' },
      { pid: 5, ppid: 1, pgid: 5, state: 'S' },
    ];
    expect(descendantsOf(2, table).sort()).toEqual([3, 4]);
    expect(descendantsOf(5, table)).toEqual([]);
  });

  it('killProcessTree kills a tree including a child in its own session', async () => {
    const marker = `arpo-proc-test-${Date.now()}`;
    const child = spawn(
      'sh',
      ['-c', `setsid sh -c 'sleep 30; :' ${marker} & sh -c 'sleep 30; :' ${marker}-b & wait`],
      { detached: true, stdio: 'ignore' },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(readProcessTableSync().some((e) => e.pid === child.pid)).toBe(true);
    expect(findProcessesWithArgv(marker).length).toBeGreaterThanOrEqual(2);
    killProcessTree(child.pid!);
    await new Promise((r) => setTimeout(r, 200));
    const left = findProcessesWithArgv(marker).filter((pid) => {
      const e = readProcessTableSync().find((x) => x.pid === pid);
      return e !== undefined && e.state !== 'Z';
    });
    expect(left).toEqual([]);
  });
});
