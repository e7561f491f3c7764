import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arpo/core';
import type { BootstrapConfig } from './bootstrap.js';
import {
  SubprocessPythonExecutorConfigSchema,
  type SubprocessPythonExecutorConfig,
  type SubprocessPythonExecutorOptions,
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
  runId,
  runInCgroup,
  sandboxEnv,
  watchdogFor,
} from './executor-common.js';
import type { PythonExecutor, PythonRunOptions, PythonRunResult } from './python-executor.js';
import { runProcess } from './process-runner.js';
import type { CgroupSupport } from './cgroup.js';
import { findExecutable, isRoot, resolveInterpreter, runCommand, sandboxPath, type InterpreterInfo } from './system.js';

/** What {@link SubprocessPythonExecutor} found it can use on this machine (probed once). */
export interface SubprocessIsolation {
  /**
   * `namespaces`: fresh mount/PID/network/IPC/UTS namespaces, read-only host filesystem, private /tmp, per-call
   * uid (needs root and a working `unshare`). `basic`: rlimits, process-group + process-tree sweep, fresh
   * temp working directory, plus `unshare -n` / a per-call uid where those work.
   */
  mode: 'namespaces' | 'basic';
  interpreter: InterpreterInfo;
  /** `prlimit` path (outer rlimit guard), or null when absent (the bootstrap's own rlimits still apply). */
  prlimit: string | null;
  /** `unshare` path, or null when absent. */
  unshare: string | null;
  /** `setpriv` path (ties the sandbox's life to Node's with --pdeathsig), or null when absent. */
  setpriv: string | null;
  /** No network: namespace mode, or `unshare -n` worked in basic mode. */
  networkIsolated: boolean;
  /** How the network namespace is made in basic mode (`--net` as root, `--user --map-root-user --net` otherwise). */
  networkArgs: string[];
  /** The code runs under an unprivileged per-call uid. */
  ownUid: boolean;
  /** Why stronger isolation was not used (empty when everything available is in force). */
  notes: string[];
  /** The per-run cgroup (memory and pids limits), or why there is none. */
  cgroup: CgroupSupport;
}

/**
 * The default executor: `python -c`-style runs in a fresh process per call, with rlimits, a wall-clock timeout
 * that kills the whole process tree, a clean environment, capped output, and — when running as root where
 * `unshare` works — a namespace sandbox (see {@link SubprocessIsolation}). Never fails to start for lack of
 * namespaces; it says what it could use in {@link describe}.
 */
export class SubprocessPythonExecutor implements PythonExecutor {
  readonly name = 'subprocess';
  readonly config: SubprocessPythonExecutorConfig;
  private readonly probeOnce = new OnceProbe<SubprocessIsolation>(() => this.probe());

  constructor(options: SubprocessPythonExecutorOptions = {}) {
    this.config = parseConfig(SubprocessPythonExecutorConfigSchema, options, 'subprocess Python executor config');
  }

  /** Probes the machine once (interpreter, prlimit, namespaces, privilege drop); later calls reuse the result. */
  init(): Promise<SubprocessIsolation> {
    return this.probeOnce.run();
  }

  /** The isolation in force, once {@link init} (or a first run) has finished. */
  get isolation(): SubprocessIsolation | undefined {
    return this.probeOnce.value;
  }

  describe(): string {
    const iso = this.probeOnce.value;
    const c = this.config;
    if (!iso) return `subprocess executor (${c.interpreter}); isolation not probed yet (call init() or run code first)`;
    const head = `subprocess executor, ${describeInterpreter(iso.interpreter)}`;
    const limits = `${describeLimits(c, iso.ownUid)}; ${describeHardening(c, iso.cgroup)}`;
    if (iso.mode === 'namespaces') {
      return (
        `${head}: namespace sandbox — fresh mount, PID, network, IPC and UTS namespaces; host filesystem read-only; ` +
        `private ${formatBytes(c.tmpfsBytes)} tmpfs on /tmp and /dev/shm (working directory /tmp); hostname ` +
        `'${c.hostname}', host boot id and machine id replaced; parents of the ` +
        `interpreter that an unprivileged user cannot traverse (e.g. /root) hidden; code runs under an unprivileged ` +
        `per-call uid with no_new_privs; loopback only, no network; clean environment; ${limits}; every process ` +
        `dies with the PID namespace. Not contained: reads of world-readable host files (e.g. /etc/passwd, the repo).`
      );
    }
    const parts = [
      `${head}: basic isolation — fresh temp working directory, clean environment, ${limits}`,
      iso.networkIsolated ? 'no network (unshare -n)' : 'NETWORK NOT ISOLATED',
      iso.ownUid ? 'unprivileged per-call uid' : 'runs as the same user as Node',
      'on timeout the process tree is frozen and killed; after exit the supervisor (a child subreaper) kills leftover processes',
    ];
    const note = iso.notes.length ? ` Why not stronger: ${iso.notes.join('; ')}.` : '';
    return `${parts.join('; ')}. Not contained: host file reads${iso.ownUid ? '' : ', writes anywhere the user may write'}.${note}`;
  }

  async run(code: string, options: PythonRunOptions): Promise<PythonRunResult> {
    checkRunOptions(options);
    const iso = await this.init();
    const c = this.config;
    const dir = await mkdtemp(join(c.tempDir ?? tmpdir(), 'arpo-py-'));
    try {
      const uid = iso.ownUid ? nextUid(c.uidBase, c.uidCount) : null;
      const runMarker = runId();
      const boot: BootstrapConfig = {
        wrapLastExpression: c.wrapLastExpression,
        supervise: true,
        memoryWatchdog: watchdogFor(c, iso.mode === 'namespaces'),
        statusFd: 3,
        mounts: iso.mode === 'namespaces' ? { tmpfsBytes: c.tmpfsBytes, expose: iso.interpreter.roots, hostname: c.hostname } : null,
        closeFds: true,
        hardening: hardeningFor(c, iso.cgroup),
        dropTo: uid === null ? null : { uid, gid: uid },
        limits: rlimitsFor(c, options.timeoutMs, uid !== null),
      };
      let home = dir;
      let prefix: string[];
      if (iso.mode === 'namespaces') {
        home = '/tmp';
        // setpriv --pdeathsig: if Node dies, unshare dies, and --kill-child takes the namespace down with it.
        const deathSignal = iso.setpriv ? [iso.setpriv, '--pdeathsig', 'KILL', '--'] : [];
        prefix = [...deathSignal, iso.unshare!, '--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--mount-proc', '--'];
      } else {
        prefix = iso.networkIsolated ? [iso.unshare!, ...iso.networkArgs, '--'] : [];
        if (uid !== null) await chown(dir, uid, uid);
      }
      const argv = [...prlimitPrefix(iso.prlimit, c, options.timeoutMs), ...prefix, ...pythonArgv(iso.interpreter.executable, c, boot)];
      const env = sandboxEnv(c, sandboxPath(iso.interpreter), home, { ARPO_PYTHON_RUN: runMarker });
      return await runInCgroup(iso.cgroup, c, argv, (wrapped) =>
        runProcess(
          { command: wrapped[0]!, args: wrapped.slice(1), env, cwd: dir, stdin: code, statusChannel: true },
          {
            timeoutMs: options.timeoutMs,
            signal: options.signal,
            maxStdoutBytes: c.maxStdoutBytes,
            maxStderrBytes: c.maxStderrBytes,
            sweep: iso.mode === 'basic' ? { envMarker: `ARPO_PYTHON_RUN=${runMarker}` } : null,
          },
        ),
      );
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }

  private async probe(): Promise<SubprocessIsolation> {
    const c = this.config;
    const interpreter = await resolveInterpreter(c.interpreter);
    const prlimit = findExecutable('prlimit');
    const unshare = findExecutable('unshare');
    const setpriv = findExecutable('setpriv');
    const notes: string[] = [];
    const cgroup = cgroupFor(c);
    if (!prlimit) notes.push('prlimit not found (rlimits are still set by the bootstrap)');
    const probeCode = 'import os, json, decimal; print(os.getuid())';
    const tryRun = async (prefix: string[], boot: BootstrapConfig, expectUid: number | null): Promise<string | null> => {
      const argv = [...prefix, ...pythonArgv(interpreter.executable, c, boot)];
      const r = await runCommand(argv[0]!, argv.slice(1), {
        env: sandboxEnv(c, sandboxPath(interpreter), '/tmp'),
        stdin: probeCode,
        timeoutMs: 20_000,
      });
      if (r.code === 0 && (expectUid === null || r.stdout.trim() === String(expectUid))) return null;
      return (r.error ?? r.stderr.trim().split('\n').slice(-2).join(' ')) || `exit code ${String(r.code)}`;
    };
    const bootFor = (mounts: BootstrapConfig['mounts'], dropTo: BootstrapConfig['dropTo']): BootstrapConfig => ({
      wrapLastExpression: true,
      supervise: true,
      memoryWatchdog: watchdogFor(c, mounts !== null),
      statusFd: null,
      mounts,
      closeFds: true,
      hardening: hardeningFor(c, { available: false, reason: 'probe' }),
      dropTo,
      limits: rlimitsFor(c, 10_000, dropTo !== null),
    });
    const root = isRoot();
    if (c.namespaces === 'auto') {
      if (!root) notes.push('namespace sandbox needs root');
      else if (!unshare) notes.push('unshare not found');
      else {
        const uid = nextUid(c.uidBase, c.uidCount);
        const failure = await tryRun(
          [unshare, '--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '--mount-proc', '--'],
          bootFor({ tmpfsBytes: c.tmpfsBytes, expose: interpreter.roots, hostname: c.hostname }, { uid, gid: uid }),
          uid,
        );
        if (failure === null) {
          return { mode: 'namespaces', interpreter, prlimit, unshare, setpriv, networkIsolated: true, networkArgs: [], ownUid: true, notes, cgroup };
        }
        notes.push(`namespace sandbox probe failed (${failure})`);
      }
    } else {
      notes.push('namespaces: off');
    }
    // Basic mode: network namespace where permitted, per-call uid where possible.
    let networkArgs: string[] = [];
    let networkIsolated = false;
    if (unshare) {
      const candidates = root ? [['--net'], ['--user', '--map-root-user', '--net']] : [['--user', '--map-root-user', '--net']];
      for (const args of candidates) {
        const r = await runCommand(unshare, [...args, '--', 'true'], { timeoutMs: 10_000 });
        if (r.code === 0) {
          networkArgs = args;
          networkIsolated = true;
          break;
        }
      }
      if (!networkIsolated) notes.push('unshare -n is not permitted');
    }
    let ownUid = false;
    if (root && c.dropPrivileges === 'auto') {
      const uid = nextUid(c.uidBase, c.uidCount);
      const netPrefix = networkIsolated && unshare ? [unshare, ...networkArgs, '--'] : [];
      const failure = await tryRun(netPrefix, bootFor(null, { uid, gid: uid }), uid);
      if (failure === null) ownUid = true;
      else notes.push(`an unprivileged uid cannot run ${interpreter.executable} (${failure})`);
    } else if (root) {
      notes.push('dropPrivileges: off');
    }
    return { mode: 'basic', interpreter, prlimit, unshare, setpriv, networkIsolated, networkArgs, ownUid, notes, cgroup };
  }
}
