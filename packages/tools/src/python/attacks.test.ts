/**
 * Attack suite: every program of ATTACK_PROGRAMS against every executor available here, judged from the host
 * and compared with the expectation table. Also checks, for every attack, that it ended within its limits,
 * left no process behind and (where contained) no file outside the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTACK_PROGRAMS,
  type AttackContext,
  type AttackExpectation,
  type AttackProfile,
  type AttackProgram,
  type AttackVerdict,
  type HostObservation,
} from './attack-programs.js';
import { BubblewrapPythonExecutor, detectBubblewrap } from './bubblewrap-executor.js';
import { findProcessesWithArgv } from './proc.js';
import type { PythonExecutor, PythonRunResult } from './python-executor.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';
import { isRoot } from './system.js';

const MiB = 1024 * 1024;
// Wall-clock limit per attack: long enough that a loaded CI machine (nx runs two test suites at once) still
// imports numpy or unwinds a recursion before it; attacks that run forever take this long.
const TIMEOUT_MS = 6000;
const LIMITS = { cpuSeconds: 1, tmpfsBytes: 32 * MiB, maxFileBytes: 8 * MiB, maxStdoutBytes: MiB, memoryBytes: 1024 * MiB };
const CONCURRENCY = 3;
const SLACK_MS = 4000;

const HERE = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = resolve(HERE, '../..');
const REPO_FILE = join(PACKAGE_DIR, 'package.json');
const SECRET = `s3cr3t-${randomBytes(6).toString('hex')}`;

interface AttackRecord {
  attack: AttackProgram;
  expected: AttackExpectation;
  run?: PythonRunResult;
  obs?: HostObservation;
  verdict?: AttackVerdict;
  error?: string;
}

// ---------------------------------------------------------------- host-side fixtures

let server: Server;
let tcpPort = 0;
const connectionsByToken = new Map<string, number>();
let unixServer: Server;
const unixConnectionsByToken = new Map<string, number>();
// Outside every temp dir the sandboxes make private (/tmp, /dev/shm), short enough for sun_path (108 bytes).
const UNIX_SOCKET_DIR = existsSync('/run') ? '/run' : '/var/tmp';
const UNIX_SOCKET_PATH = join(UNIX_SOCKET_DIR, `arpo-attack-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
let hostBootId: string | null = null;
let unattributed = 0;
let canary: ChildProcess;
let hostInitEnvironDigest: string | null = null;
const startCwd = process.cwd();
const startHostname = hostname();

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

function contextFor(token: string): AttackContext {
  return {
    token,
    escapePaths: {
      tmp: `/tmp/arpo-escape-${token}`,
      varTmp: `/var/tmp/arpo-escape-${token}`,
      devShm: `/dev/shm/arpo-escape-${token}`,
      repo: join(PACKAGE_DIR, `.arpo-escape-${token}`),
    },
    repoFile: REPO_FILE,
    repoFileNeedle: '"name": "@arpo/tools"',
    tcpPort,
    hostAddresses: hostAddresses(),
    secret: SECRET,
    canaryPid: canary.pid ?? -1,
    runnerCwd: startCwd,
    hostInitEnvironDigest,
    hostHostname: startHostname,
    hostBootId,
    unixSocketPath: UNIX_SOCKET_PATH,
    tmpfsBytes: LIMITS.tmpfsBytes,
    maxFileBytes: LIMITS.maxFileBytes,
    memoryBytes: LIMITS.memoryBytes,
    maxStdoutBytes: LIMITS.maxStdoutBytes,
    timeoutMs: TIMEOUT_MS,
  };
}

/**
 * Processes of the run still alive, polled for up to 3 s: after a fork bomb the kernel tears down a PID
 * namespace's ~150 killed processes asynchronously, which takes longer on a loaded machine.
 */
async function survivorsOf(token: string): Promise<number[]> {
  let found: number[] = [];
  for (let i = 0; i < 30; i++) {
    found = findProcessesWithArgv(token).filter(alive);
    if (found.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

async function runAttack(executor: PythonExecutor, attack: AttackProgram): Promise<Omit<AttackRecord, 'attack' | 'expected'>> {
  const token = `arpotok${randomBytes(8).toString('hex')}`;
  const ctx = contextFor(token);
  connectionsByToken.set(token, 0);
  unixConnectionsByToken.set(token, 0);
  let run: PythonRunResult;
  try {
    run = await executor.run(attack.code(ctx), { timeoutMs: TIMEOUT_MS });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  await new Promise((r) => setTimeout(r, 50)); // let the listener see late connections
  const escaped = Object.values(ctx.escapePaths).filter((p) => existsSync(p));
  const survivors = await survivorsOf(token);
  const obs: HostObservation = {
    connections: connectionsByToken.get(token) ?? 0,
    escapedFiles: escaped,
    survivors,
    cwdChanged: process.cwd() !== startCwd,
    hostnameChanged: hostname() !== startHostname,
    canaryAlive: alive(canary.pid),
    unixConnections: unixConnectionsByToken.get(token) ?? 0,
  };
  // Clean up whatever escaped, so a failure cannot leave debris behind.
  for (const p of escaped) rmSync(p, { force: true });
  for (const pid of survivors) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  return { run, obs, verdict: attack.judge(run, obs, ctx) };
}

/**
 * The expectation of an attack under a profile, adjusted to where this checkout lives: the namespace sandbox
 * mounts a private tmpfs on /tmp and /dev/shm, so a repository cloned under one of them (CI may clone into /tmp)
 * is hidden from the sandbox and reading it is contained.
 */
function expectedFor(attack: AttackProgram, profile: AttackProfile): AttackExpectation {
  if (attack.id === 'read-repo-file' && profile === 'namespaces' && /^\/(tmp|dev\/shm)\//.test(REPO_FILE)) return 'contained';
  return attack.expected[profile];
}

async function runSuite(executor: PythonExecutor, profile: AttackProfile): Promise<AttackRecord[]> {
  const records: AttackRecord[] = ATTACK_PROGRAMS.map((attack) => ({ attack, expected: expectedFor(attack, profile) }));
  const queue = records.filter((r) => r.expected !== 'unsafe');
  const worker = async () => {
    for (;;) {
      const rec = queue.shift();
      if (!rec) return;
      Object.assign(rec, await runAttack(executor, rec.attack));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return records;
}

beforeAll(async () => {
  process.env.ARPO_SECRET_TEST = SECRET;
  try {
    hostInitEnvironDigest = createHash('sha256').update(readFileSync('/proc/1/environ')).digest('hex');
  } catch {
    hostInitEnvironDigest = null;
  }
  server = createServer((socket) => {
    let data = '';
    let counted = false;
    const count = () => {
      if (counted) return;
      const token = [...connectionsByToken.keys()].find((t) => data.includes(t));
      if (token) {
        counted = true;
        connectionsByToken.set(token, (connectionsByToken.get(token) ?? 0) + 1);
      }
    };
    socket.on('data', (d) => {
      data += d.toString();
      count();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      count();
      if (!counted) unattributed++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  try {
    hostBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    hostBootId = null;
  }
  unixServer = createServer((socket) => {
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const token = [...unixConnectionsByToken.keys()].find((t) => data.includes(t));
      if (token) unixConnectionsByToken.set(token, (unixConnectionsByToken.get(token) ?? 0) + 1);
    });
  });
  await new Promise<void>((r) => unixServer.listen(UNIX_SOCKET_PATH, r));
  chmodSync(UNIX_SOCKET_PATH, 0o777);
  const address = server.address();
  tcpPort = typeof address === 'object' && address ? address.port : 0;
  // A host process the attacks must not be able to kill; its environment holds the secret (what
  // /proc/<pid>/environ scans look for).
  canary = spawn('sleep', ['600'], { env: { ...process.env, ARPO_SECRET_TEST: SECRET }, stdio: 'ignore', detached: true });
});

afterAll(async () => {
  try {
    if (canary.pid) process.kill(canary.pid, 'SIGKILL');
  } catch {
    // gone
  }
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => unixServer.close(() => r()));
  rmSync(UNIX_SOCKET_PATH, { force: true });
});

// ---------------------------------------------------------------- the detectors can fire

describe('attack detectors fire without a sandbox (plain python3)', () => {
  for (const attack of ATTACK_PROGRAMS.filter((a) => a.proveDetector)) {
    it(`${attack.id}: judged not contained when run unsandboxed`, async (ctx) => {
      if (!isRoot()) ctx.skip(); // the programs are written for a root runner (keyrings, namespaces)
      const token = `arpotok${randomBytes(8).toString('hex')}`;
      const actx = contextFor(token);
      unixConnectionsByToken.set(token, 0);
      const cwd = mkdtempSync(join(tmpdir(), 'arpo-detector-'));
      try {
        const started = Date.now();
        // Async, so that the runner's own listeners can accept the program's connections meanwhile.
        const child = spawn('python3', ['-c', attack.code(actx)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d.toString()));
        child.stderr.on('data', (d) => (stderr += d.toString()));
        const exitCode = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
        await new Promise((r) => setTimeout(r, 50));
        const run: PythonRunResult = {
          stdout,
          stderr,
          exitCode,
          signal: null,
          timedOut: false,
          aborted: false,
          durationMs: Date.now() - started,
          outputTruncated: false,
          limitExceeded: null,
        };
        const obs: HostObservation = {
          connections: 0,
          escapedFiles: [],
          survivors: [],
          cwdChanged: false,
          hostnameChanged: false,
          canaryAlive: true,
          unixConnections: unixConnectionsByToken.get(token) ?? 0,
        };
        const verdict = attack.judge(run, obs, actx);
        expect(verdict.contained, `${attack.id} unsandboxed: ${verdict.detail}`).toBe(false);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    }, 30_000);
  }
});

// ---------------------------------------------------------------- the executors

interface Candidate {
  label: string;
  profile: AttackProfile;
  make: () => Promise<PythonExecutor | string>;
}

const candidates: Candidate[] = [
  {
    label: 'subprocess executor (namespace sandbox)',
    profile: 'namespaces',
    make: async () => {
      const ex = new SubprocessPythonExecutor(LIMITS);
      const iso = await ex.init();
      return iso.mode === 'namespaces' ? ex : `namespace sandbox unavailable here: ${iso.notes.join('; ')}`;
    },
  },
  {
    label: 'subprocess executor (fallback without namespaces, as root)',
    profile: 'basic-root',
    make: async () => {
      if (!isRoot()) return 'the basic-root expectations are written for a root runner';
      const ex = new SubprocessPythonExecutor({ ...LIMITS, namespaces: 'off' });
      const iso = await ex.init();
      if (!iso.networkIsolated) return 'unshare -n is not permitted here (the basic-root expectations assume it)';
      if (iso.ownUid) return 'the interpreter is reachable by an unprivileged uid here (the basic-root expectations assume root)';
      return ex;
    },
  },
  {
    label: 'bubblewrap executor',
    profile: 'bubblewrap',
    make: async () => {
      const found = await detectBubblewrap();
      if (!found.available) return `bubblewrap unavailable: ${found.reason}`;
      const ex = new BubblewrapPythonExecutor(LIMITS);
      await ex.init();
      return ex;
    },
  },
];

for (const candidate of candidates) {
  describe(`attacks: ${candidate.label}`, () => {
    let records: AttackRecord[] = [];
    let skipped: string | null = null;

    beforeAll(async () => {
      const made = await candidate.make();
      if (typeof made === 'string') {
        skipped = made;
        console.warn(`[attacks] skipping ${candidate.label}: ${made}`);
        return;
      }
      records = await runSuite(made, candidate.profile);
      const table = records.map((r) => {
        const got = r.expected === 'unsafe' ? 'not run' : r.verdict ? (r.verdict.contained ? 'contained' : 'NOT contained') : `error: ${r.error}`;
        const ms = r.run ? `${Math.round(r.run.durationMs)} ms` : '';
        return `  ${r.attack.id.padEnd(26)} expected ${r.expected.padEnd(13)} got ${got.padEnd(13)} ${ms}`;
      });
      console.info(`[attacks] ${candidate.label}\n${table.join('\n')}`);
    }, 120_000);

    for (const attack of ATTACK_PROGRAMS) {
      const expected = expectedFor(attack, candidate.profile);
      const title = `${attack.id}: ${attack.title} → ${expected}`;
      if (expected === 'unsafe') {
        it.skip(`${title} (would harm the host)`, () => undefined);
        continue;
      }
      it(title, (ctx) => {
        if (skipped !== null) ctx.skip();
        const rec = records.find((r) => r.attack.id === attack.id)!;
        expect(rec.error, 'the executor itself failed').toBeUndefined();
        const { run, obs, verdict } = rec as Required<AttackRecord>;
        // Every attack: a clear, bounded end, nothing left running, the runner intact.
        expect(run.durationMs, 'ended within its limits').toBeLessThan(TIMEOUT_MS + SLACK_MS);
        expect(obs.survivors, 'no process left behind').toEqual([]);
        expect(obs.canaryAlive, 'host processes unharmed').toBe(true);
        expect(obs.cwdChanged, "runner's cwd unchanged").toBe(false);
        expect(obs.hostnameChanged, 'hostname unchanged').toBe(false);
        if (expected === 'contained') {
          expect(obs.escapedFiles, 'no file outside the sandbox').toEqual([]);
          expect(obs.connections, 'no connection reached the host').toBe(0);
        }
        expect(verdict.contained, `${attack.id}: ${verdict.detail}`).toBe(expected === 'contained');
      });
    }

    it('no connection without a token reached the listener', (ctx) => {
      if (skipped !== null) ctx.skip();
      expect(unattributed).toBe(0);
    });
  });
}

// ---------------------------------------------------------------- state inherited from the Node process

/**
 * Run in a Node process (the fixture, through vite-node) that holds a root-only file open for reading on fd 40 and
 * a host file open for appending on fd 41, both without close-on-exec (Node marks inherited fds below ~20
 * close-on-exec at start, not higher ones), and a session keyring with a secret in it:
 * what a trainer process may hold without meaning to. The program reads and writes every descriptor it finds and
 * looks the key up; the judge reads the host file and the program's output.
 */
const INHERITED_STATE_PROGRAM = String.raw`import ctypes, os, stat, sys
libc = ctypes.CDLL(None, use_errno=True)
token = TOKEN
out = []
for fd in range(3, 256):
    try:
        st = os.fstat(fd)
    except OSError:
        continue
    try:
        out.append('READ %d %r' % (fd, os.pread(fd, 200, 0)))
    except OSError as e:
        out.append('NOREAD %d %s' % (fd, e))
    if stat.S_ISREG(st.st_mode):
        try:
            os.write(fd, ('WRITTEN %s\n' % token).encode())
            out.append('WROTE %d' % fd)
        except OSError:
            pass
nr = {'x86_64': 250, 'aarch64': 219}[os.uname().machine]
k = libc.syscall(nr, 10, ctypes.c_long(-3), b'user', b'arpo-canary', 0)
if k > 0:
    buf = ctypes.create_string_buffer(256)
    n = libc.syscall(nr, 11, k, buf, 256)
    out.append('KEY %r' % buf.raw[:max(n, 0)])
else:
    out.append('NOKEY %s' % os.strerror(ctypes.get_errno()))
print('\n'.join(out))`;

const LAUNCHER = String.raw`import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
keyctl, add_key = {'x86_64': (250, 248), 'aarch64': (219, 217)}[os.uname().machine]
secret_file, append_file, key_secret = sys.argv[1:4]
if libc.syscall(keyctl, 1, b'arpo-attack-session') < 0:
    sys.exit('keyctl join failed: %s' % os.strerror(ctypes.get_errno()))
if libc.syscall(add_key, b'user', b'arpo-canary', key_secret.encode(), len(key_secret), ctypes.c_long(-3)) < 0:
    sys.exit('add_key failed: %s' % os.strerror(ctypes.get_errno()))
r = os.open(secret_file, os.O_RDONLY)
os.dup2(r, 40)
a = os.open(append_file, os.O_WRONLY | os.O_APPEND)
os.dup2(a, 41)
os.close(r)
os.close(a)
os.execv(sys.argv[4], sys.argv[4:])`;

const VITE_NODE = resolve(PACKAGE_DIR, '../../node_modules/.bin/vite-node');

describe('attacks: descriptors and session keyring inherited from Node', () => {
  const profiles = [
    { profile: 'none', expectLeak: true },
    { profile: 'namespaces', expectLeak: false },
    { profile: 'basic-root', expectLeak: false },
    { profile: 'bubblewrap', expectLeak: false },
  ] as const;
  for (const { profile, expectLeak } of profiles) {
    it(`${profile === 'none' ? 'plain python3 (the detectors fire)' : profile}: ${expectLeak ? 'leaks' : 'contains'} fd reads, fd writes and the keyring secret`, async (ctx) => {
      if (!isRoot()) ctx.skip(); // root-only file, and the expectations are written for a root runner
      if (!existsSync(VITE_NODE)) ctx.skip();
      if (profile === 'bubblewrap' && !(await detectBubblewrap()).available) ctx.skip();
      if (profile === 'namespaces' && (await new SubprocessPythonExecutor(LIMITS).init()).mode !== 'namespaces') ctx.skip();
      const dir = mkdtempSync(join(tmpdir(), 'arpo-inherit-'));
      try {
        const token = `arpotok${randomBytes(8).toString('hex')}`;
        const fileSecret = `file-secret-${randomBytes(8).toString('hex')}`;
        const keySecret = `key-secret-${randomBytes(8).toString('hex')}`;
        const secretFile = join(dir, 'root-only');
        const appendFile = join(dir, 'host-log');
        writeFileSync(secretFile, fileSecret, { mode: 0o600 });
        writeFileSync(appendFile, 'host log\n', { mode: 0o600 });
        const code = INHERITED_STATE_PROGRAM.replace('TOKEN', JSON.stringify(token));
        const args = JSON.stringify({ profile, code, timeoutMs: TIMEOUT_MS, limits: LIMITS });
        const child = spawn('python3', ['-c', LAUNCHER, secretFile, appendFile, keySecret, VITE_NODE, join(HERE, 'inherited-state.fixture.ts'), args], {
          cwd: PACKAGE_DIR,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d.toString()));
        child.stderr.on('data', (d) => (stderr += d.toString()));
        await new Promise((r) => child.on('close', r));
        const result = /@@RESULT@@(.*)/.exec(stdout)?.[1];
        expect(result, `fixture failed: ${stdout.slice(-500)} ${stderr.slice(-500)}`).toBeDefined();
        const run = JSON.parse(result!) as PythonRunResult;
        const leaks = {
          fdRead: run.stdout.includes(fileSecret),
          fdWrite: readFileSync(appendFile, 'utf8').includes(token),
          keyring: run.stdout.includes(keySecret),
        };
        expect(leaks, `${profile}: stdout ${JSON.stringify(run.stdout.slice(0, 400))} stderr ${JSON.stringify(run.stderr.slice(-300))}`).toEqual(
          { fdRead: expectLeak, fdWrite: expectLeak, keyring: expectLeak },
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
