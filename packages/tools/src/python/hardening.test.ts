/**
 * The hardening every executor applies (seccomp filter, per-run cgroup, memfd-aware watchdog, fresh keyring, neutral
 * hostname and boot id), and that ordinary Python still works under it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BubblewrapPythonExecutor, detectBubblewrap } from './bubblewrap-executor.js';
import { probeCgroups } from './cgroup.js';
import type { PythonExecutor } from './python-executor.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';

const MiB = 1024 * 1024;
const TIMEOUT = { timeoutMs: 20_000 };

interface Candidate {
  label: string;
  make: (options?: Record<string, unknown>) => Promise<PythonExecutor | string>;
  /** Runs in its own UTS namespace (hostname and boot id replaced). */
  ownHost: boolean;
}

const candidates: Candidate[] = [
  {
    label: 'subprocess (namespace sandbox)',
    ownHost: true,
    make: async (options = {}) => {
      const ex = new SubprocessPythonExecutor(options);
      const iso = await ex.init();
      return iso.mode === 'namespaces' ? ex : `no namespace sandbox here: ${iso.notes.join('; ')}`;
    },
  },
  {
    label: 'subprocess (without namespaces)',
    ownHost: false,
    make: async (options = {}) => {
      const ex = new SubprocessPythonExecutor({ ...options, namespaces: 'off' });
      await ex.init();
      return ex;
    },
  },
  {
    label: 'bubblewrap',
    ownHost: true,
    make: async (options = {}) => {
      const found = await detectBubblewrap();
      if (!found.available) return `bubblewrap unavailable: ${found.reason}`;
      const ex = new BubblewrapPythonExecutor(options);
      await ex.init();
      return ex;
    },
  },
];

/** Calls each syscall and prints its errno name (or OK); then the ordinary things Python code does. */
const SYSCALL_PROBE = String.raw`import asyncio, ctypes, errno, os, socket, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
keyctl = {'x86_64': 250, 'aarch64': 219}[os.uname().machine]
def res(r):
    return 'OK' if r >= 0 else errno.errorcode[ctypes.get_errno()]
out = {}
out['unshare_user'] = res(libc.unshare(0x10000000))
out['unshare_net'] = res(libc.unshare(0x40000000))
out['keyctl'] = res(libc.syscall(keyctl, 0, ctypes.c_long(-3), 0))
out['mount'] = res(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))
try:
    socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    out['af_unix'] = 'OK'
except OSError as e:
    out['af_unix'] = errno.errorcode[e.errno]
a, b = socket.socketpair()
a.sendall(b'x')
out['socketpair'] = b.recv(1).decode()
out['asyncio'] = asyncio.run(asyncio.sleep(0, result='ran'))
out['subprocess'] = subprocess.run([sys.executable, '-c', 'print(6 * 7)'], capture_output=True, text=True).stdout.strip()
out['fork'] = 'OK' if os.waitpid(os.fork() or os._exit(0), 0) else ''
import numpy, sympy
out['numpy'] = int(numpy.arange(5).sum())
out['sympy'] = str(sympy.factor(sympy.Symbol('x') ** 2 - 1))
with open('/proc/self/status') as f:
    out['seccomp'] = [l.split()[1] for l in f if l.startswith('Seccomp:')][0]
print(sorted(out.items()))`;

for (const candidate of candidates) {
  describe(`hardening: ${candidate.label}`, () => {
    it('denies namespaces, keyrings, mount and AF_UNIX sockets; numpy, sympy, subprocesses, socketpair and asyncio work', async (ctx) => {
      const ex = await candidate.make();
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run(SYSCALL_PROBE, TIMEOUT);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(
        "[('af_unix', 'EPERM'), ('asyncio', 'ran'), ('fork', 'OK'), ('keyctl', 'EPERM'), ('mount', 'EPERM'), " +
          "('numpy', 10), ('seccomp', '2'), ('socketpair', 'x'), ('subprocess', '42'), ('sympy', '(x - 1)*(x + 1)'), " +
          "('unshare_net', 'EPERM'), ('unshare_user', 'EPERM')]",
      );
    }, 60_000);

    it('seccomp: false leaves the filter out (Seccomp: 0)', async (ctx) => {
      const ex = await candidate.make({ seccomp: false });
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run("print([l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')][0])", TIMEOUT);
      expect(r.stdout.trim()).toBe('0');
    }, 30_000);

    it('closes descriptors it did not open: only 0, 1 and 2 are open when the code starts', async (ctx) => {
      const ex = await candidate.make();
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run("import os\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))", TIMEOUT);
      // The listing itself opens one descriptor (3) while it reads the directory.
      expect(r.stdout.trim()).toBe('[0, 1, 2, 3]');
    }, 30_000);

    it(candidate.ownHost ? "shows hostname 'sandbox' and a neutral boot id" : "shows the host's hostname (no UTS namespace)", async (ctx) => {
      const ex = await candidate.make();
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run(
        "import socket\nprint(socket.gethostname())\nprint(open('/proc/sys/kernel/random/boot_id').read().strip())",
        TIMEOUT,
      );
      const hostBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      expect(r.stdout.trim().split('\n')).toEqual(
        candidate.ownHost ? ['sandbox', '00000000-0000-4000-8000-000000000000'] : [hostname(), hostBoot],
      );
    }, 30_000);

    const MEMFD = (mib: number) => String.raw`import os, time
fds = []
for _ in range(${mib / 8}):
    fd = os.memfd_create('m')
    os.posix_fallocate(fd, 0, 8 << 20)
    fds.append(fd)
time.sleep(1)
print('HELD')`;

    it('the watchdog counts memfd files (no cgroup): 512 MiB held by descriptor passes a 256 MiB limit', async (ctx) => {
      const ex = await candidate.make({ cgroup: 'off', memoryBytes: 256 * MiB, maxFileBytes: 8 * MiB });
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run(MEMFD(512), TIMEOUT);
      expect(r.stdout).toBe('');
      expect(r.limitExceeded).toBe('memory');
      expect(r.stderr).toContain('MemoryError: the program and its child processes used more than 256 MiB of memory in total');
    }, 30_000);

    it('the cgroup bounds memfd memory by itself (watchdog far above it) and is removed after the run', async (ctx) => {
      const cg = probeCgroups();
      if (!cg.available) {
        console.warn(`[hardening] no per-run cgroup here: ${cg.reason}`);
        ctx.skip();
      }
      const ex = await candidate.make({ totalMemoryBytes: 8192 * MiB, cgroupMemoryBytes: 256 * MiB, maxFileBytes: 8 * MiB });
      if (typeof ex === 'string') ctx.skip();
      const r = await (ex as PythonExecutor).run(MEMFD(512), TIMEOUT);
      expect(r.stdout).toBe('');
      expect(r.limitExceeded).toBe('memory');
      expect(r.stderr).toContain('held more than 256 MiB of memory (cgroup limit, shared memory included)');
      const parent = cg.available ? (cg.version === 1 ? cg.memoryDir : cg.dir) : '';
      expect(readdirSync(parent).filter((d) => d.startsWith(`arpo-python-${process.pid}-`))).toEqual([]);
    }, 30_000);

    it('describe() says which hardening is in force', async (ctx) => {
      const ex = await candidate.make();
      if (typeof ex === 'string') ctx.skip();
      const text = (ex as PythonExecutor).describe();
      expect(text).toContain('inherited descriptors closed, seccomp filter');
      expect(text).toMatch(probeCgroups().available ? /cgroup v[12]: memory \d+ (MiB|GiB)/ : /NO cgroup \(/);
    });
  });
}

