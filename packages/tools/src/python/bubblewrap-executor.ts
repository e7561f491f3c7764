import { chmodSync, existsSync, lstatSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpoError, parseConfig } from '@arpo/core';
import type { BootstrapConfig, SandboxHardening } from './bootstrap.js';
import {
  BubblewrapPythonExecutorConfigSchema,
  type BubblewrapPythonExecutorConfig,
  type BubblewrapPythonExecutorOptions,
} from './config.js';
import {
  cgroupFor,
  checkRunOptions,
  describeHardening,
  describeInterpreter,
  describeLimits,
  formatBytes,
  hardeningFor,
  nextUid,
  OnceProbe,
  prlimitPrefix,
  pythonArgv,
  rlimitsFor,
  runInCgroup,
  sandboxEnv,
  watchdogFor,
} from './executor-common.js';
import type { PythonExecutor, PythonRunOptions, PythonRunResult } from './python-executor.js';
import { runProcess } from './process-runner.js';
import type { CgroupSupport } from './cgroup.js';
import { findExecutable, isRoot, resolveInterpreter, runCommand, sandboxPath, type InterpreterInfo } from './system.js';

/** Result of {@link detectBubblewrap}. */
export type BubblewrapDetection =
  | { available: true; path: string; version: string; interpreter: InterpreterInfo }
  | { available: false; reason: string };

/** What {@link BubblewrapPythonExecutor} found on this machine (probed once). */
export interface BubblewrapIsolation {
  bwrap: string;
  version: string;
  interpreter: InterpreterInfo;
  prlimit: string | null;
  /** The per-run cgroup (memory and pids limits), or why there is none. */
  cgroup: CgroupSupport;
  /** A file holding a neutral boot id, bound over /proc/sys/kernel/random/boot_id. */
  neutralBootId: string | null;
}

const TOP_LEVEL_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The hardened executor: each run inside `bwrap` with fresh PID, network, IPC, UTS and cgroup namespaces and an
 * empty root: only /usr and the interpreter's prefix, read-only; a private size-capped tmpfs on /tmp and
 * /dev/shm; a minimal /dev and a fresh /proc; no /etc, no host home, no repository;
 * `--die-with-parent --new-session --clearenv`. As root the code runs under a per-run unprivileged host uid
 * (dropped by the bootstrap; bwrap keeps only CAP_SETUID, CAP_SETGID (for the drop), CAP_KILL and CAP_SYS_PTRACE (for the supervisor's clean-up and
 * memory accounting)); otherwise as `sandboxUid` in a
 * user namespace. Wrapped by the same rlimits, wall-clock timeout and process-group kill as
 * {@link SubprocessPythonExecutor}.
 */
export class BubblewrapPythonExecutor implements PythonExecutor {
  readonly name = 'bubblewrap';
  readonly config: BubblewrapPythonExecutorConfig;
  private readonly probeOnce = new OnceProbe<BubblewrapIsolation>(() => this.probe());

  constructor(options: BubblewrapPythonExecutorOptions = {}) {
    this.config = parseConfig(BubblewrapPythonExecutorConfigSchema, options, 'bubblewrap Python executor config');
  }

  /**
   * Finds bwrap and the interpreter and runs one probe program in the sandbox (once). Rejects with an
   * {@link ArpoError} that says why when bubblewrap cannot be used here.
   */
  init(): Promise<BubblewrapIsolation> {
    return this.probeOnce.run();
  }

  get isolation(): BubblewrapIsolation | undefined {
    return this.probeOnce.value;
  }

  describe(): string {
    const c = this.config;
    const iso = this.probeOnce.value;
    const head = iso
      ? `bubblewrap executor (${iso.version}), ${describeInterpreter(iso.interpreter)}`
      : `bubblewrap executor (${c.bwrapPath}, ${c.interpreter}; not probed yet)`;
    const identity = isRoot()
      ? `an unprivileged per-run host uid (pool from ${c.uidBase}) with no capabilities and no_new_privs`
      : `uid ${c.sandboxUid} in a user namespace, no capabilities`;
    return (
      `${head}: bwrap with fresh PID, network, IPC, UTS (and cgroup) namespaces, --die-with-parent, ` +
      `--new-session, --clearenv; the root is an empty read-only tmpfs holding only /usr and the interpreter ` +
      `prefix (read-only binds), a fresh /proc and a minimal read-only /dev; private ${formatBytes(c.tmpfsBytes)} ` +
      `tmpfs on /tmp and /dev/shm (working directory /tmp); no /etc, host home or repository; hostname ` +
      `'${c.hostname}', host boot id replaced; code runs as ${identity}; loopback only; ${describeLimits(c, true)}; ` +
      `${describeHardening(c, iso?.cgroup ?? cgroupFor(c))}; every process dies with the PID namespace.`
    );
  }

  async run(code: string, options: PythonRunOptions): Promise<PythonRunResult> {
    checkRunOptions(options);
    const iso = await this.init();
    const c = this.config;
    const argv = [
      ...prlimitPrefix(iso.prlimit, c, options.timeoutMs),
      ...bwrapArgv(iso, c, options.timeoutMs, identityFor(c), hardeningFor(c, iso.cgroup)),
    ];
    return runInCgroup(iso.cgroup, c, argv, async (wrapped) => {
      const outcome = await runProcess(
        { command: wrapped[0]!, args: wrapped.slice(1), env: { PATH: '/usr/bin:/bin' }, cwd: '/', stdin: code, statusChannel: true },
        {
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          maxStdoutBytes: c.maxStdoutBytes,
          maxStderrBytes: c.maxStderrBytes,
          sweep: null,
        },
      );
      if (outcome.status === null && outcome.exitCode === 1 && /^bwrap: /m.test(outcome.stderr)) {
        // bwrap itself failed (the sandbox never started): that is the executor failing, not the code.
        throw new ArpoError(`bubblewrap failed to start the sandbox: ${outcome.stderr.trim()}`);
      }
      return outcome;
    });
  }

  private async probe(): Promise<BubblewrapIsolation> {
    const c = this.config;
    const bwrap = findExecutable(c.bwrapPath);
    if (!bwrap) throw new ArpoError(`bubblewrap is not installed ('${c.bwrapPath}' not found on PATH; apt-get install bubblewrap)`);
    const version = await runCommand(bwrap, ['--version'], { timeoutMs: 10_000 });
    if (version.code !== 0) throw new ArpoError(`'${bwrap} --version' failed: ${version.error ?? version.stderr.trim()}`);
    const interpreter = await resolveInterpreter(c.interpreter);
    const identity = identityFor(c);
    const found = { bwrap, interpreter, neutralBootId: neutralBootIdFile() };
    const argv = bwrapArgv(found, c, 10_000, identity, hardeningFor(c, { available: false, reason: 'probe' }));
    const r = await runCommand(argv[0]!, argv.slice(1), {
      env: { PATH: '/usr/bin:/bin' },
      stdin: 'import os, json, decimal; print(os.getuid())',
      timeoutMs: 20_000,
    });
    if (r.code !== 0 || r.stdout.trim() !== String(identity.uid)) {
      const why = r.error ?? (r.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${String(r.code)}`);
      throw new ArpoError(`bubblewrap cannot run ${interpreter.executable} in a sandbox here: ${why}`);
    }
    return { ...found, version: version.stdout.trim(), prlimit: findExecutable('prlimit'), cgroup: cgroupFor(c) };
  }
}

/** How the sandbox gets its unprivileged identity. */
type BwrapIdentity = { kind: 'root'; uid: number } | { kind: 'userns'; uid: number };

function bwrapArgv(
  found: Pick<BubblewrapIsolation, 'bwrap' | 'interpreter' | 'neutralBootId'>,
  c: BubblewrapPythonExecutorConfig,
  timeoutMs: number,
  identity: BwrapIdentity,
  hardening: SandboxHardening,
): string[] {
  const { bwrap, interpreter } = found;
  const args = [bwrap];
  if (identity.kind === 'root') {
    // No user namespace: one made by root would map the sandbox to host uid 0, which RLIMIT_NPROC ignores.
    // The bootstrap drops to the per-run uid itself; bwrap keeps only the capabilities for that and for the
    // supervisor's clean-up (CAP_KILL: the code runs under another uid) and memory accounting (CAP_SYS_PTRACE:
    // reading the code's /proc/<pid>/smaps_rollup and fd table). The code loses them all at the uid change.
    args.push('--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try');
    args.push('--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_KILL', '--cap-add', 'CAP_SYS_PTRACE');
  } else {
    const uid = String(identity.uid);
    args.push('--unshare-all', '--unshare-user', '--uid', uid, '--gid', uid, '--cap-drop', 'ALL');
  }
  args.push('--die-with-parent', '--new-session', '--clearenv', '--ro-bind', '/usr', '/usr');
  for (const d of TOP_LEVEL_LINKS) {
    try {
      const st = lstatSync(d);
      if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(d), d);
      else if (st.isDirectory()) args.push('--ro-bind', d, d);
    } catch {
      // absent on this system
    }
  }
  const binds = [...interpreter.roots, ...c.readOnlyBinds]
    .filter((p) => p !== '/usr' && !p.startsWith('/usr/') && p !== '/')
    .sort();
  const kept: string[] = [];
  for (const p of binds) if (!kept.some((k) => p === k || p.startsWith(`${k}/`))) kept.push(p);
  const made = new Set<string>();
  for (const p of kept) {
    // Parent directories bwrap would otherwise create 0700 (unreachable for the unprivileged uid).
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!made.has(dir) && !TOP_LEVEL_LINKS.includes(dir) && dir !== '/usr') {
        args.push('--perms', '0755', '--dir', dir);
        made.add(dir);
      }
    }
    args.push('--ro-bind', p, p);
  }
  const size = String(c.tmpfsBytes);
  args.push('--proc', '/proc', '--dev', '/dev', '--hostname', c.hostname);
  if (found.neutralBootId) args.push('--ro-bind', found.neutralBootId, '/proc/sys/kernel/random/boot_id');
  args.push('--perms', '1777', '--size', size, '--tmpfs', '/tmp', '--perms', '1777', '--size', size, '--tmpfs', '/dev/shm');
  args.push('--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/tmp');
  const env = sandboxEnv(c, sandboxPath(interpreter), '/tmp');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  const boot: BootstrapConfig = {
    wrapLastExpression: c.wrapLastExpression,
    supervise: true,
    memoryWatchdog: watchdogFor(c, true),
    statusFd: 3,
    mounts: null,
    closeFds: true,
    hardening,
    dropTo: identity.kind === 'root' ? { uid: identity.uid, gid: identity.uid } : null,
    limits: rlimitsFor(c, timeoutMs, true),
  };
  args.push('--', ...pythonArgv(interpreter.executable, c, boot));
  return args;
}

function identityFor(c: BubblewrapPythonExecutorConfig): BwrapIdentity {
  return isRoot() ? { kind: 'root', uid: nextUid(c.uidBase, c.uidCount) } : { kind: 'userns', uid: c.sandboxUid };
}

const detections = new Map<string, Promise<BubblewrapDetection>>();

/**
 * Whether the bubblewrap executor can run here: bwrap installed, namespaces permitted, and the interpreter
 * runnable inside the sandbox (one real probe run, cached per bwrap path and interpreter). Never rejects.
 */
export function detectBubblewrap(options: { bwrapPath?: string; interpreter?: string } = {}): Promise<BubblewrapDetection> {
  const key = `${options.bwrapPath ?? 'bwrap'}\0${options.interpreter ?? 'python3'}`;
  let found = detections.get(key);
  if (!found) {
    const executor = new BubblewrapPythonExecutor(options);
    found = executor.init().then(
      (iso): BubblewrapDetection => ({ available: true, path: iso.bwrap, version: iso.version, interpreter: iso.interpreter }),
      (error: unknown): BubblewrapDetection => ({ available: false, reason: error instanceof Error ? error.message : String(error) }),
    );
    detections.set(key, found);
  }
  return found;
}

/**
 * A world-readable file holding a neutral boot id (all zeros), bound over the sandbox's
 * /proc/sys/kernel/random/boot_id so that runs cannot tell which host (or which boot) they run on. Written once,
 * atomically; null where it cannot be written (the host's boot id then stays visible).
 */
function neutralBootIdFile(): string | null {
  const path = join(tmpdir(), 'arpo-python-neutral-boot-id');
  try {
    if (existsSync(path)) {
      const st = lstatSync(path);
      if (!st.isFile() || st.uid !== process.getuid?.()) return null;
    } else {
      const part = `${path}.${process.pid}`;
      writeFileSync(part, '00000000-0000-4000-8000-000000000000\n');
      chmodSync(part, 0o444);
      renameSync(part, path);
    }
    return path;
  } catch {
    return null;
  }
}
