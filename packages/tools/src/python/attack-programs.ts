/**
 * Hostile Python programs and what each executor is expected to do with them. Shared by the attack test
 * suite (`attacks.test.ts`), the bench and the docs (PYTHON.md's isolation table).
 *
 * Every attack is judged from the host: the program prints what it managed to do, and the runner adds
 * host-side observations (did the TCP listener get a connection, does the escape file exist, is a process
 * with the attack's token still alive, …).
 */
import type { PythonRunResult } from './python-executor.js';

/** The isolation profiles the expectations are written for. */
export type AttackProfile =
  /** {@link SubprocessPythonExecutor} in namespace mode (running as root where `unshare` works). */
  | 'namespaces'
  /** {@link SubprocessPythonExecutor} without namespaces, as root, with `unshare -n`, no privilege drop. */
  | 'basic-root'
  /** {@link BubblewrapPythonExecutor}. */
  | 'bubblewrap';

/**
 * `contained`: the attack fails (or is cut short) and the host is unaffected. `not-contained`: the attack
 * succeeds; the suite runs it and checks that it does. `unsafe`: not contained, and running it would harm
 * the host (e.g. kill the test runner), so the suite does not run it.
 */
export type AttackExpectation = 'contained' | 'not-contained' | 'unsafe';

export type AttackCategory = 'host read' | 'host write' | 'network' | 'resources' | 'processes' | 'parent' | 'crash' | 'privileges';

/** Values the runner passes to the programs and uses to judge them. */
export interface AttackContext {
  /** Unique random token of this attack run (in argv of spawned processes, file names, TCP payloads). */
  token: string;
  /** Paths outside the sandbox the write attacks target (must not exist afterwards). */
  escapePaths: { tmp: string; varTmp: string; devShm: string; repo: string };
  /** Absolute path of a file of the repository, and a string it contains. */
  repoFile: string;
  repoFileNeedle: string;
  /** A TCP port the runner listens on (all host addresses). */
  tcpPort: number;
  /** Non-loopback IPv4 addresses of the host. */
  hostAddresses: string[];
  /** Value of `ARPO_SECRET_TEST` in the runner's environment. */
  secret: string;
  /** The runner's working directory. */
  runnerCwd: string;
  /** pid of a host process started by the runner, whose environment holds `secret`. */
  canaryPid: number;
  /** sha256 (hex) of the host's /proc/1/environ, or null when unreadable. */
  hostInitEnvironDigest: string | null;
  /** The host's hostname and boot id (/proc/sys/kernel/random/boot_id), which the sandbox must not show. */
  hostHostname: string;
  hostBootId: string | null;
  /** A world-connectable Unix-domain socket the runner listens on, outside every temp dir. */
  unixSocketPath: string;
  /** Limits the suite runs with. */
  tmpfsBytes: number;
  maxFileBytes: number;
  memoryBytes: number;
  maxStdoutBytes: number;
  timeoutMs: number;
}

/** What the runner saw on the host after the run. */
export interface HostObservation {
  /** Connections the TCP listener accepted that carried this attack's token (or any, while it ran alone). */
  connections: number;
  /** Escape paths that exist after the run. */
  escapedFiles: string[];
  /** Live processes whose command line contains the token. */
  survivors: number[];
  /** `process.cwd()` changed. */
  cwdChanged: boolean;
  /** `os.hostname()` changed. */
  hostnameChanged: boolean;
  /** The canary process (a host process the attacks must not be able to kill) is still alive. */
  canaryAlive: boolean;
  /** Connections the Unix-domain socket listener accepted that carried this attack's token. */
  unixConnections: number;
}

export interface AttackVerdict {
  contained: boolean;
  detail: string;
}

export interface AttackProgram {
  id: string;
  title: string;
  category: AttackCategory;
  /** The Python source. */
  code(ctx: AttackContext): string;
  /** Judges the run from the host. */
  judge(run: PythonRunResult, obs: HostObservation, ctx: AttackContext): AttackVerdict;
  expected: Record<AttackProfile, AttackExpectation>;
  /**
   * The suite also runs the program once without any sandbox (plain `python3`, as root) and checks that the
   * judge then reports it as not contained: proof that the detector can fire.
   */
  proveDetector?: boolean;
}

const q = (s: string): string => JSON.stringify(s);

const ALL_CONTAINED: Record<AttackProfile, AttackExpectation> = {
  namespaces: 'contained',
  'basic-root': 'contained',
  bubblewrap: 'contained',
};

const verdict = (contained: boolean, detail: string): AttackVerdict => ({ contained, detail });
const outOf = (run: PythonRunResult) =>
  `exit ${String(run.exitCode)}${run.signal ? ` ${run.signal}` : ''}${run.timedOut ? ' (timeout)' : ''}; ` +
  `stdout ${JSON.stringify(run.stdout.slice(0, 160))}; stderr ${JSON.stringify(run.stderr.trim().split('\n').slice(-1)[0] ?? '')}`;

/** Reads a file and prints it, or BLOCKED with the error. */
const readFile = (path: string) => String.raw`try:
    print(open(${q(path)}).read())
except OSError as e:
    print('BLOCKED', e)`;

/** A background process that would sleep for 10 minutes with the token in its argv. */
const sleeper = (token: string) => `[sys.executable, '-c', 'import time; time.sleep(600)', ${q(token)}]`;

const endedCleanly = (run: PythonRunResult, obs: HostObservation) => obs.survivors.length === 0 && !run.aborted;

export const ATTACK_PROGRAMS: readonly AttackProgram[] = [
  // ---------------------------------------------------------------- host reads
  {
    id: 'read-etc-passwd',
    title: 'Read /etc/passwd',
    category: 'host read',
    code: () => readFile('/etc/passwd'),
    judge: (run) => verdict(!/^root:/m.test(run.stdout), outOf(run)),
    expected: { namespaces: 'not-contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'read-etc-shadow',
    title: 'Read /etc/shadow',
    category: 'host read',
    code: () => readFile('/etc/shadow'),
    judge: (run) => verdict(!/^root:/m.test(run.stdout), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'read-repo-file',
    title: "Read the repository's package.json by absolute path",
    category: 'host read',
    code: (ctx) => readFile(ctx.repoFile),
    judge: (run, _obs, ctx) => verdict(!run.stdout.includes(ctx.repoFileNeedle), outOf(run)),
    expected: { namespaces: 'not-contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'read-host-process-environ',
    title: "Read a host process's environment: /proc/1/environ and /proc/<pid>/environ of a known host process",
    category: 'host read',
    code: (ctx) => String.raw`import hashlib
for pid in (1, ${ctx.canaryPid}):
    try:
        data = open('/proc/%d/environ' % pid, 'rb').read()
        print('READ', pid, hashlib.sha256(data).hexdigest(), data[:4000])
    except OSError as e:
        print('BLOCKED', pid, e)`,
    judge: (run, _obs, ctx) =>
      verdict(
        !run.stdout.includes(ctx.secret) && (ctx.hostInitEnvironDigest === null || !run.stdout.includes(ctx.hostInitEnvironDigest)),
        outOf(run),
      ),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'scan-proc-environ',
    title: 'Scan every /proc/<pid>/environ for the secret',
    category: 'host read',
    code: () => String.raw`import os
hits = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            data = open('/proc/%s/environ' % pid, 'rb').read()
        except OSError:
            continue
        hits += [v.decode() for v in data.split(b'\0') if v.startswith(b'ARPO_SECRET_TEST=')]
print('FOUND' if hits else 'NOTHING', hits[:1])`,
    judge: (run, _obs, ctx) => verdict(!run.stdout.includes(ctx.secret), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'env-secret',
    title: "Read the runner's environment variables (os.environ)",
    category: 'host read',
    code: () => 'import os\nprint(dict(os.environ))',
    judge: (run, _obs, ctx) => verdict(!run.stdout.includes(ctx.secret) && !run.stdout.includes('ARPO_SECRET_TEST'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'parent-cwd',
    title: "Find the runner's working directory through /proc/<ppid>/cwd (walking up the parents)",
    category: 'host read',
    code: () => String.raw`import os
seen, pid = [], os.getppid()
for _ in range(30):
    if pid <= 0:
        break
    try:
        seen.append(os.readlink('/proc/%d/cwd' % pid))
    except OSError as e:
        seen.append('BLOCKED %s' % e.strerror)
    try:
        stat = open('/proc/%d/stat' % pid).read()
        pid = int(stat[stat.rindex(')') + 2:].split()[1])
    except (OSError, ValueError):
        break
print(seen)`,
    judge: (run, _obs, ctx) => verdict(!run.stdout.includes(`'${ctx.runnerCwd}'`), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  // ---------------------------------------------------------------- host writes
  {
    id: 'write-host-tmp',
    title: 'Write /tmp/arpo-escape-<random> on the host',
    category: 'host write',
    code: (ctx) => String.raw`try:
    open(${q(ctx.escapePaths.tmp)}, 'w').write('escaped')
    print('WROTE')
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs, ctx) => verdict(!obs.escapedFiles.includes(ctx.escapePaths.tmp), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  {
    id: 'write-repo',
    title: 'Write a file into the repository',
    category: 'host write',
    code: (ctx) => String.raw`try:
    open(${q(ctx.escapePaths.repo)}, 'w').write('escaped')
    print('WROTE')
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs, ctx) => verdict(!obs.escapedFiles.includes(ctx.escapePaths.repo), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  {
    id: 'write-var-tmp-dev-shm',
    title: 'Write /var/tmp and /dev/shm on the host',
    category: 'host write',
    code: (ctx) => String.raw`for path in (${q(ctx.escapePaths.varTmp)}, ${q(ctx.escapePaths.devShm)}):
    try:
        open(path, 'w').write('escaped')
        print('WROTE', path)
    except OSError as e:
        print('BLOCKED', path, e)`,
    judge: (run, obs, ctx) =>
      verdict(!obs.escapedFiles.includes(ctx.escapePaths.varTmp) && !obs.escapedFiles.includes(ctx.escapePaths.devShm), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  // ---------------------------------------------------------------- network
  {
    id: 'tcp-loopback',
    title: "Connect to the runner's TCP listener on 127.0.0.1",
    category: 'network',
    code: (ctx) => String.raw`import socket
try:
    s = socket.create_connection(('127.0.0.1', ${ctx.tcpPort}), timeout=2)
    s.sendall(${q(ctx.token)}.encode())
    s.close()
    print('CONNECTED')
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs) => verdict(obs.connections === 0 && !run.stdout.includes('CONNECTED'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'tcp-host-address',
    title: "Connect to the runner's TCP listener on the host's own non-loopback addresses",
    category: 'network',
    code: (ctx) => String.raw`import socket
for host in ${JSON.stringify(ctx.hostAddresses)}:
    try:
        s = socket.create_connection((host, ${ctx.tcpPort}), timeout=2)
        s.sendall(${q(ctx.token)}.encode())
        s.close()
        print('CONNECTED', host)
    except OSError as e:
        print('BLOCKED', host, e)`,
    judge: (run, obs) => verdict(obs.connections === 0 && !run.stdout.includes('CONNECTED'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'dns-lookup',
    title: 'Resolve registry.npmjs.org (the host can)',
    category: 'network',
    code: () => String.raw`import socket
try:
    print('RESOLVED', socket.getaddrinfo('registry.npmjs.org', 443)[0][4])
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run) => verdict(!run.stdout.includes('RESOLVED'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'http-out',
    title: 'HTTPS request to registry.npmjs.org (the host can reach it)',
    category: 'network',
    code: () => String.raw`import urllib.request
try:
    print('FETCHED', urllib.request.urlopen('https://registry.npmjs.org/', timeout=3).status)
except Exception as e:
    print('BLOCKED', type(e).__name__, e)`,
    judge: (run) => verdict(!run.stdout.includes('FETCHED'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  // ---------------------------------------------------------------- resources
  {
    id: 'fork-bomb',
    title: 'Fork bomb (fork + exec in a loop, every child too)',
    category: 'resources',
    code: (ctx) => String.raw`import os, sys
bomb = 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass'
os.execv(sys.executable, [sys.executable, '-c', bomb, ${q(ctx.token)}])`,
    judge: (run, obs) => verdict(endedCleanly(run, obs), `${outOf(run)}; survivors ${obs.survivors.length}`),
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  {
    id: 'memory-bytearray',
    title: 'Allocate 8 GB with bytearray',
    category: 'resources',
    code: () => 'x = bytearray(8 * 1024 ** 3)\nprint(len(x))',
    judge: (run) => verdict(run.exitCode !== 0 && run.stderr.includes('MemoryError'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'memory-numpy',
    title: 'Allocate 8 GB with numpy',
    category: 'resources',
    code: () => 'import numpy as np\na = np.ones(2 ** 30)\nprint(a.nbytes)',
    judge: (run) => verdict(run.exitCode !== 0 && /MemoryError|Unable to allocate/.test(run.stderr), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'memory-many-processes',
    title: 'Use 2.8 GB across four processes (each under the per-process limit)',
    category: 'resources',
    code: () => String.raw`import os, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        try:
            b = b'\x01' * (700 * 1024 ** 2)
            time.sleep(1)
            os._exit(0)
        except MemoryError:
            os._exit(3)
    kids.append(pid)
ok = sum(1 for p in kids if os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) == 0)
print('ALLOCATED_MB', ok * 700)`,
    judge: (run, _obs, ctx) => {
      const mb = Number(/ALLOCATED_MB (\d+)/.exec(run.stdout)?.[1] ?? 0);
      return verdict(mb * 1024 * 1024 <= ctx.memoryBytes, outOf(run));
    },
    expected: ALL_CONTAINED,
  },
  {
    id: 'spin-forever',
    title: 'Busy loop forever',
    category: 'resources',
    code: () => 'while True:\n    pass',
    judge: (run) => verdict(run.timedOut || run.signal !== null, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'sleep-forever',
    title: 'Sleep forever',
    category: 'resources',
    code: () => 'import time\ntime.sleep(10 ** 6)',
    judge: (run) => verdict(run.timedOut, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'fill-disk-one-file',
    title: 'Write one file until an error',
    category: 'resources',
    code: () => String.raw`n = 0
chunk = b'x' * (1 << 20)
try:
    with open('big.bin', 'wb') as f:
        while n < (1 << 30):
            f.write(chunk)
            f.flush()
            n += len(chunk)
    print('WROTE', n)
except OSError as e:
    print('STOPPED', n, e)`,
    judge: (run, _obs, ctx) => {
      const n = Number(/(?:WROTE|STOPPED) (\d+)/.exec(run.stdout)?.[1] ?? Number.POSITIVE_INFINITY);
      return verdict(n <= ctx.maxFileBytes, outOf(run));
    },
    expected: ALL_CONTAINED,
  },
  {
    id: 'fill-disk-many-files',
    title: 'Write many files into every writable directory until errors',
    category: 'resources',
    code: () => String.raw`import os
chunk = b'x' * (4 << 20)
total = 0
for k, d in enumerate(('.', '/tmp', '/dev/shm', '/var/tmp', os.path.expanduser('~'), '/')):
    i = 0
    written = 0
    try:
        while written < (1 << 30):
            with open(os.path.join(d, 'fill-%d-%d.bin' % (k, i)), 'wb') as f:
                f.write(chunk)
            written += len(chunk)
            i += 1
    except OSError:
        pass
    total += written
print('TOTAL', total)`,
    judge: (run, _obs, ctx) => {
      const n = Number(/TOTAL (\d+)/.exec(run.stdout)?.[1] ?? Number.POSITIVE_INFINITY);
      return verdict(n <= 2 * ctx.tmpfsBytes + 8 * 1024 * 1024, outOf(run));
    },
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  // ---------------------------------------------------------------- processes that outlive the call
  {
    id: 'background-new-session',
    title: 'Background process in a new session (subprocess.Popen start_new_session)',
    category: 'processes',
    code: (ctx) => String.raw`import subprocess, sys
p = subprocess.Popen(${sleeper(ctx.token)}, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print('SPAWNED', p.pid)`,
    judge: (run, obs) => verdict(endedCleanly(run, obs), `${outOf(run)}; survivors ${obs.survivors.length}`),
    expected: ALL_CONTAINED,
  },
  {
    id: 'background-double-fork',
    title: 'Classic daemon: double fork + setsid + exec',
    category: 'processes',
    code: (ctx) => String.raw`import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        fd = os.open(os.devnull, os.O_RDWR)
        for i in (0, 1, 2):
            os.dup2(fd, i)
        os.execv(sys.executable, ${sleeper(ctx.token)})
    os._exit(0)
os.wait()
print('DAEMONIZED')`,
    judge: (run, obs) => verdict(endedCleanly(run, obs), `${outOf(run)}; survivors ${obs.survivors.length}`),
    expected: ALL_CONTAINED,
  },
  {
    id: 'background-nohup',
    title: 'nohup … & through the shell',
    category: 'processes',
    code: (ctx) => String.raw`import os, sys
os.system('nohup %s -c "import time; time.sleep(600)" %s >/dev/null 2>&1 &' % (sys.executable, ${q(ctx.token)}))
print('STARTED')`,
    judge: (run, obs) => verdict(endedCleanly(run, obs), `${outOf(run)}; survivors ${obs.survivors.length}`),
    expected: ALL_CONTAINED,
  },
  {
    id: 'background-clean-env',
    title: 'Background process with an empty environment (hides from environment-marker scans)',
    category: 'processes',
    code: (ctx) => String.raw`import subprocess, sys
p = subprocess.Popen(${sleeper(ctx.token)}, env={}, start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print('SPAWNED', p.pid)`,
    judge: (run, obs) => verdict(endedCleanly(run, obs), `${outOf(run)}; survivors ${obs.survivors.length}`),
    expected: ALL_CONTAINED,
  },
  {
    id: 'background-holds-stdout',
    title: 'Background process that keeps the stdout pipe open',
    category: 'processes',
    code: (ctx) => String.raw`import subprocess, sys
subprocess.Popen(${sleeper(ctx.token)}, start_new_session=True)
print('SPAWNED')`,
    judge: (run, obs, ctx) =>
      verdict(endedCleanly(run, obs) && !run.timedOut && run.durationMs < ctx.timeoutMs, `${outOf(run)}; ${Math.round(run.durationMs)} ms`),
    expected: ALL_CONTAINED,
  },
  // ---------------------------------------------------------------- the parent
  {
    id: 'kill-parent',
    title: 'SIGKILL the parent process (os.getppid())',
    category: 'parent',
    code: () => String.raw`import os, signal
try:
    os.kill(os.getppid(), signal.SIGKILL)
    print('KILLED', os.getppid())
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs) => verdict(obs.canaryAlive, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'kill-ancestors',
    title: 'SIGKILL every ancestor process (walking /proc/<pid>/stat up to init)',
    category: 'parent',
    code: () => String.raw`import os, signal
pid, killed = os.getppid(), []
while pid > 1:
    stat = open('/proc/%d/stat' % pid).read()
    nxt = int(stat[stat.rindex(')') + 2:].split()[1])
    try:
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
    except OSError:
        pass
    pid = nxt
print('KILLED', killed)`,
    judge: (run, obs) => verdict(obs.canaryAlive, outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  {
    id: 'kill-everything',
    title: 'os.kill(-1, SIGKILL): signal every process the caller may signal',
    category: 'parent',
    code: () => 'import os, signal\nos.kill(-1, signal.SIGKILL)\nprint("SURVIVED")',
    judge: (run, obs) => verdict(obs.canaryAlive, outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  {
    id: 'chdir',
    title: "Change the working directory (must not affect the runner's)",
    category: 'parent',
    code: () => "import os\nos.chdir('/')\nprint(os.getcwd())",
    judge: (run, obs) => verdict(!obs.cwdChanged, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'signal-ignore',
    title: 'Ignore every catchable signal, then sleep in a loop',
    category: 'parent',
    code: () => String.raw`import signal, time
for s in signal.Signals:
    try:
        signal.signal(s, signal.SIG_IGN)
    except (OSError, ValueError, RuntimeError):
        pass
while True:
    time.sleep(0.05)`,
    judge: (run) => verdict(run.timedOut, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'sethostname',
    title: "Change the host's hostname",
    category: 'privileges',
    code: (ctx) => String.raw`import socket
try:
    socket.sethostname(${q(`arpo-${ctx.token.slice(0, 8)}`)})
    print('CHANGED')
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs) => verdict(!obs.hostnameChanged, outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'unsafe', bubblewrap: 'contained' },
  },
  {
    id: 'become-root',
    title: 'Run as / become root (os.setuid(0))',
    category: 'privileges',
    code: () => String.raw`import os
try:
    os.setuid(0)
except OSError as e:
    print('BLOCKED', e)
print('UID', os.getuid(), os.geteuid())`,
    judge: (run) => verdict(!/UID 0\b|UID \d+ 0\b/.test(run.stdout), outOf(run)),
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
  },
  // ---------------------------------------------------------------- hardening (seccomp, cgroups, identity)
  {
    id: 'memfd-many',
    title: 'Hold 1.25 GiB in anonymous memfd files (8 MiB each, within the file-size limit), unmapped',
    category: 'resources',
    code: (ctx) => String.raw`import os, time
size = ${ctx.maxFileBytes}
want = ${ctx.memoryBytes} + ${ctx.memoryBytes} // 4
fds, held = [], 0
try:
    while held < want:
        fd = os.memfd_create('hold')
        fds.append(fd)
        os.posix_fallocate(fd, 0, size)  # real pages, cheap in CPU time (the CPU limit must not be what stops it)
        held += size
except OSError as e:
    print('BLOCKED after', held, e)
else:
    time.sleep(1.0)
    print('HELD', held)`,
    judge: (run) => verdict(!run.stdout.includes('HELD'), `${outOf(run)}; limit ${String(run.limitExceeded)}`),
    expected: ALL_CONTAINED,
    proveDetector: true,
  },
  {
    id: 'host-identity',
    title: "Read the host's hostname and boot id",
    category: 'host read',
    code: () => String.raw`import socket
print('HOST', socket.gethostname())
try:
    print('BOOT', open('/proc/sys/kernel/random/boot_id').read().strip())
except OSError as e:
    print('BLOCKED boot_id', e)`,
    judge: (run, _obs, ctx) => {
      const host = /^HOST (.*)$/m.exec(run.stdout)?.[1];
      const boot = /^BOOT (.*)$/m.exec(run.stdout)?.[1];
      return verdict(host !== ctx.hostHostname && (ctx.hostBootId === null || boot !== ctx.hostBootId), outOf(run));
    },
    expected: { namespaces: 'contained', 'basic-root': 'not-contained', bubblewrap: 'contained' },
    proveDetector: true,
  },
  {
    id: 'unix-socket-host',
    title: "Connect to a world-connectable Unix-domain socket of the host's and send the token",
    category: 'network',
    code: (ctx) => String.raw`import socket
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(${q(ctx.unixSocketPath)})
    s.sendall(${q(ctx.token)}.encode())
    s.close()
    print('CONNECTED')
except OSError as e:
    print('BLOCKED', e)`,
    judge: (run, obs) => verdict(obs.unixConnections === 0, `${outOf(run)}; ${obs.unixConnections} connection(s)`),
    expected: ALL_CONTAINED,
    proveDetector: true,
  },
  {
    id: 'user-namespace',
    title: 'Create a user namespace (unshare(CLONE_NEWUSER)): kernel attack surface',
    category: 'privileges',
    code: () => String.raw`import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x10000000) == 0:
    print('CREATED', open('/proc/self/uid_map').read().strip())
else:
    print('BLOCKED', os.strerror(ctypes.get_errno()))`,
    judge: (run) => verdict(!run.stdout.includes('CREATED'), outOf(run)),
    expected: ALL_CONTAINED,
    proveDetector: true,
  },
  {
    id: 'keyctl-keyring',
    title: 'Add a key to the session keyring and list the keys visible through keyctl',
    category: 'privileges',
    code: () => String.raw`import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
nr = {'x86_64': (248, 250), 'aarch64': (217, 219)}[os.uname().machine]
k = libc.syscall(nr[0], b'user', b'arpo-probe', b'x', 1, ctypes.c_long(-3))
print('ADDED' if k > 0 else 'BLOCKED %s' % os.strerror(ctypes.get_errno()))`,
    judge: (run) => verdict(!run.stdout.includes('ADDED'), outOf(run)),
    expected: ALL_CONTAINED,
    proveDetector: true,
  },
  // ---------------------------------------------------------------- crashes and floods
  {
    id: 'huge-output',
    title: 'Print 10 MB',
    category: 'crash',
    code: () => "import sys\nfor _ in range(10 * 1024):\n    sys.stdout.write('x' * 1023 + '\\n')",
    judge: (run, _obs, ctx) =>
      verdict(run.outputTruncated && Buffer.byteLength(run.stdout) <= ctx.maxStdoutBytes, `${outOf(run)}; ${run.stdout.length} chars kept`),
    expected: ALL_CONTAINED,
  },
  {
    id: 'infinite-recursion',
    title: 'Infinite recursion',
    category: 'crash',
    code: () => 'def f():\n    return f()\nf()',
    judge: (run) => verdict(run.exitCode === 1 && run.stderr.includes('RecursionError'), outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'c-stack-overflow',
    title: 'Unbounded recursion through eval with the recursion limit lifted (C stack overflow)',
    category: 'crash',
    code: () => "import sys\nsys.setrecursionlimit(10 ** 8)\ndef f(n):\n    return eval('f(n + 1)', {'f': f, 'n': n})\nf(0)",
    judge: (run) =>
      verdict(run.signal === 'SIGSEGV' || /RecursionError|MemoryError/.test(run.stderr) || run.limitExceeded !== null, outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'ctypes-segfault',
    title: 'Segfault through ctypes',
    category: 'crash',
    code: () => 'import ctypes\nctypes.string_at(0)',
    judge: (run) => verdict(run.signal === 'SIGSEGV', outOf(run)),
    expected: ALL_CONTAINED,
  },
  {
    id: 'read-stdin',
    title: 'Wait for input on stdin',
    category: 'crash',
    code: () => 'print(input())',
    judge: (run) => verdict(!run.timedOut && run.stderr.includes('EOFError'), outOf(run)),
    expected: ALL_CONTAINED,
  },
];

/** Expectation of every attack for one profile, as a plain object (for tables and reports). */
export function attackExpectations(profile: AttackProfile): Record<string, AttackExpectation> {
  return Object.fromEntries(ATTACK_PROGRAMS.map((a) => [a.id, a.expected[profile]]));
}

/** Markdown table of the expectations (the isolation table in PYTHON.md). */
export function attackTableMarkdown(): string {
  const mark = (e: AttackExpectation) => (e === 'contained' ? 'contained' : e === 'not-contained' ? '**not contained**' : '**not contained** (not run)');
  const rows = ATTACK_PROGRAMS.map(
    (a) => `| ${a.title} | ${a.category} | ${mark(a.expected.namespaces)} | ${mark(a.expected['basic-root'])} | ${mark(a.expected.bubblewrap)} |`,
  );
  return [
    '| Attack | Kind | subprocess (namespace sandbox) | subprocess (fallback, root, no namespaces) | bubblewrap |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
