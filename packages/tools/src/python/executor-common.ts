import { randomBytes, randomInt } from 'node:crypto';
import { ArpoConfigError } from '@arpo/core';
import { pythonBootstrap, type BootstrapConfig, type SandboxHardening } from './bootstrap.js';
import { probeCgroups, RunCgroup, type CgroupLimits, type CgroupSupport } from './cgroup.js';
import type { PythonRunOptions, PythonRunResult } from './python-executor.js';
import type { ProcessOutcome } from './process-runner.js';
import type { InterpreterInfo } from './system.js';

const MiB = 1024 * 1024;

/** The fields of the executor configs that every executor reads. */
export interface SharedExecutorConfig {
  memoryBytes: number;
  totalMemoryBytes?: number | undefined;
  cpuSeconds?: number | undefined;
  maxFileBytes: number;
  maxOpenFiles: number;
  maxProcesses: number;
  tmpfsBytes: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  env: Record<string, string>;
  isolatedMode: boolean;
  wrapLastExpression: boolean;
  cgroup: 'auto' | 'off';
  cgroupMemoryBytes?: number | undefined;
  seccomp: boolean;
  hostname: string;
}

/** Validates per-run options; throws {@link ArpoConfigError}. */
export function checkRunOptions(options: PythonRunOptions): void {
  const t = options?.timeoutMs;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
    throw new ArpoConfigError('python run options', [{ field: 'timeoutMs', value: t, expected: 'a finite number > 0 (milliseconds)' }]);
  }
}

/** CPU seconds for a run: configured, or the timeout rounded up plus one second. */
export function cpuSecondsFor(config: SharedExecutorConfig, timeoutMs: number): number {
  return config.cpuSeconds ?? Math.ceil(timeoutMs / 1000) + 1;
}

/** rlimits for the user's code. `nproc` only where the code has a uid of its own. */
export function rlimitsFor(config: SharedExecutorConfig, timeoutMs: number, ownUid: boolean): BootstrapConfig['limits'] {
  return {
    as: config.memoryBytes,
    cpu: cpuSecondsFor(config, timeoutMs),
    fsize: config.maxFileBytes,
    nofile: config.maxOpenFiles,
    nproc: ownUid ? config.maxProcesses : null,
    core: 0,
  };
}

/** The supervisor's memory watchdog settings (`privateIpc`: count System V segments, which are the run's own). */
export function watchdogFor(config: SharedExecutorConfig, privateIpc: boolean): BootstrapConfig['memoryWatchdog'] {
  return { limitBytes: config.totalMemoryBytes ?? config.memoryBytes, intervalMs: 50, sysvShm: privateIpc };
}

/** Whether the bootstrap has a seccomp syscall table for this machine. */
export function seccompSupported(): boolean {
  return process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
}

/** What the bootstrap does to the code's process: seccomp, a fresh keyring, first in line for the OOM killer. */
export function hardeningFor(config: SharedExecutorConfig, cgroup: CgroupSupport): SandboxHardening {
  return { seccomp: config.seccomp && seccompSupported(), newKeyring: true, oomScoreAdj: cgroup.available ? 1000 : null };
}

/** The per-run cgroup support in force for a config (probed once per process). */
export function cgroupFor(config: SharedExecutorConfig): CgroupSupport {
  return config.cgroup === 'off' ? { available: false, reason: 'cgroup: off' } : machineCgroups();
}

let cgroupProbe: CgroupSupport | undefined;
function machineCgroups(): CgroupSupport {
  cgroupProbe ??= probeCgroups();
  return cgroupProbe;
}

/** Limits of a run's cgroup. */
export function cgroupLimitsFor(config: SharedExecutorConfig): CgroupLimits {
  return {
    // Above the watchdog's limit (whose message names the cause) by the private tmpfs mounts and a margin for the
    // page cache and kernel memory charged to the run.
    memoryBytes: config.cgroupMemoryBytes ?? (config.totalMemoryBytes ?? config.memoryBytes) + 2 * config.tmpfsBytes + 256 * MiB,
    // The supervisor, bwrap / unshare and the wrappers run in the cgroup too.
    pids: config.maxProcesses + 16,
  };
}

/**
 * Runs `argv` (through `start`) inside a fresh cgroup when the machine allows one, and turns an OOM kill there
 * into `limitExceeded: 'memory'` with a MemoryError line on stderr.
 */
export async function runInCgroup(
  cgroup: CgroupSupport,
  config: SharedExecutorConfig,
  argv: string[],
  start: (argv: string[]) => Promise<ProcessOutcome>,
): Promise<PythonRunResult> {
  if (!cgroup.available) return toRunResult(await start(argv));
  const limits = cgroupLimitsFor(config);
  const group = RunCgroup.create(cgroup, limits);
  try {
    const result = toRunResult(await start(group.wrap(argv)));
    if (group.oomKills() > 0 && result.limitExceeded !== 'time' && result.limitExceeded !== 'memory') {
      result.limitExceeded = 'memory';
      result.stderr +=
        `${result.stderr === '' || result.stderr.endsWith('\n') ? '' : '\n'}MemoryError: the program and its child ` +
        `processes held more than ${formatBytes(limits.memoryBytes)} of memory (cgroup limit, shared memory included) and were stopped.\n`;
    }
    return result;
  } finally {
    await group.destroy();
  }
}

/** One line on the hardening in force. */
export function describeHardening(config: SharedExecutorConfig, cgroup: CgroupSupport): string {
  const h = hardeningFor(config, cgroup);
  const limits = cgroupLimitsFor(config);
  const parts = [
    'inherited descriptors closed',
    h.seccomp ? 'seccomp filter (keyrings, namespaces, mount, ptrace, bpf, perf, modules, reboot, AF_UNIX sockets denied)' : 'NO seccomp filter',
    'fresh session keyring',
    cgroup.available
      ? `cgroup v${cgroup.version}: memory ${formatBytes(limits.memoryBytes)} (shared memory and tmpfs included), ` +
        `${cgroup.version === 1 ? (cgroup.pidsDir ? `pids ${limits.pids}` : 'no pids controller') : cgroup.pids ? `pids ${limits.pids}` : 'no pids controller'}`
      : `NO cgroup (${cgroup.reason}); the watchdog also counts memfd files`,
  ];
  return `hardening: ${parts.join(', ')}`;
}

/** `prlimit …  --` prefix (outer guard on the whole tree; the bootstrap sets the same limits on the code). */
export function prlimitPrefix(prlimit: string | null, config: SharedExecutorConfig, timeoutMs: number): string[] {
  if (!prlimit) return [];
  return [
    prlimit,
    `--as=${config.memoryBytes}`,
    `--cpu=${cpuSecondsFor(config, timeoutMs)}`,
    `--fsize=${config.maxFileBytes}`,
    `--nofile=${config.maxOpenFiles}`,
    '--core=0',
    '--',
  ];
}

/** `python -s -B -c BOOTSTRAP <config>` (or `-I -B` in isolated mode). */
export function pythonArgv(executable: string, config: SharedExecutorConfig, boot: BootstrapConfig): string[] {
  const flags = config.isolatedMode ? ['-I', '-B'] : ['-s', '-B'];
  return [executable, ...flags, '-c', pythonBootstrap(), JSON.stringify(boot)];
}

/** The complete environment of the code: nothing from Node's environment. */
export function sandboxEnv(
  config: SharedExecutorConfig,
  path: string,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...config.env,
    PATH: path,
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

let uidCursor = randomInt(1 << 20);
/** A uid from the pool, different for consecutive runs (so concurrent runs never share one). */
export function nextUid(base: number, count: number): number {
  uidCursor = (uidCursor + 1) % count;
  return base + uidCursor;
}

/** Random id for markers and names. */
export function runId(): string {
  return randomBytes(8).toString('hex');
}

/** Converts a runner outcome to the public result. */
export function toRunResult(outcome: ProcessOutcome): PythonRunResult {
  return {
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    timedOut: outcome.timedOut,
    aborted: outcome.aborted,
    durationMs: outcome.durationMs,
    outputTruncated: outcome.outputTruncated,
    limitExceeded: outcome.timedOut ? 'time' : (outcome.status?.limit ?? null),
  };
}

/** `1 GiB`, `16 MiB`, `300 B`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}

/** One line on the rlimits in force. */
export function describeLimits(config: SharedExecutorConfig, ownUid: boolean): string {
  const cpu = config.cpuSeconds === undefined ? 'timeout + 1 s' : `${config.cpuSeconds} s`;
  const parts = [
    `address space ${formatBytes(config.memoryBytes)}`,
    `CPU ${cpu}`,
    `file size ${formatBytes(config.maxFileBytes)}`,
    `open files ${config.maxOpenFiles}`,
  ];
  if (ownUid) parts.push(`processes ${config.maxProcesses}`);
  parts.push(`memory of all processes together ${formatBytes(config.totalMemoryBytes ?? config.memoryBytes)} (watchdog)`);
  return `rlimits: ${parts.join(', ')}; output capped at ${formatBytes(config.maxStdoutBytes)} stdout / ${formatBytes(config.maxStderrBytes)} stderr`;
}

/** Interpreter line for descriptions. */
export function describeInterpreter(info: InterpreterInfo): string {
  return `Python ${info.version} (${info.executable})`;
}

/**
 * A machine probe run at most once: concurrent callers share the pending promise, a success is kept (`value`),
 * a failure is forgotten so the next call probes again.
 */
export class OnceProbe<T> {
  private pending: Promise<T> | undefined;
  private result: T | undefined;

  constructor(private readonly probe: () => Promise<T>) {}

  get value(): T | undefined {
    return this.result;
  }

  run(): Promise<T> {
    this.pending ??= this.probe().then(
      (value) => (this.result = value),
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    return this.pending;
  }
}
