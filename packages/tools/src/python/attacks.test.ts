/**
 * Attack suite: every program of ATTACK_PROGRAMS against every executor available here, judged from the host
 * and compared with the expectation table. Also checks, for every attack, that it ended within its limits,
 * left no process behind and (where contained) no file outside the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
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
