import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { findProcessesWithEnv, killProcessTree } from './proc.js';
import type { PythonRunResult } from './python-executor.js';

/** A process to start. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  cwd: string;
  /** Written to stdin, which is then closed. */
  stdin: string;
  /** Open fd 3 as a pipe and read the bootstrap's JSON status line from it. */
  statusChannel: boolean;
}

/** How a process is bounded and cleaned up. */
export interface ProcessLimits {
  timeoutMs: number;
  signal?: AbortSignal;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /**
   * Extra clean-up for runs without a PID namespace: on timeout/abort freeze and kill the whole process
   * tree (walked through /proc), and after exit kill any process whose environment holds `envMarker`.
   */
  sweep: { envMarker: string } | null;
  /** How long to wait for stdout/stderr to reach EOF after the process exited (ms). */
  drainMs?: number;
}

/** Status line written by the bootstrap's supervisor on fd 3. */
export interface BootstrapStatus {
  exitCode?: number | null;
  signal?: string | null;
  setupError?: string;
  /** A limit the supervisor saw exceeded: `memory` (its watchdog) or `cpu` (RLIMIT_CPU). */
  limit?: 'memory' | 'cpu' | null;
}

/** What {@link runProcess} observed: the fields of a {@link PythonRunResult} it can know, plus the supervisor's report. */
export interface ProcessOutcome extends Omit<PythonRunResult, 'limitExceeded'> {
  /** The supervisor's report, when there was one. */
  status: BootstrapStatus | null;
}

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size += room;
      this.truncated = true;
    } else {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
  }
  text(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(this.chunks, this.size));
  }
}

function parseStatus(text: string): BootstrapStatus | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (!line) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (value === null || typeof value !== 'object') return null;
    const v = value as Record<string, unknown>;
    const status: BootstrapStatus = {};
    if (typeof v.exitCode === 'number' || v.exitCode === null) status.exitCode = v.exitCode as number | null;
    if (typeof v.signal === 'string' || v.signal === null) status.signal = v.signal as string | null;
    if (typeof v.setupError === 'string') status.setupError = v.setupError;
    if (v.limit === 'memory' || v.limit === 'cpu') status.limit = v.limit;
    return status;
  } catch {
    return null;
  }
}

/**
 * Starts a process detached in its own process group with a clean environment, feeds it stdin, captures
 * capped stdout/stderr, and makes sure nothing it started survives: on timeout or abort the whole group
 * (and, with `sweep`, the whole /proc tree) is SIGKILLed; after a normal exit the group is SIGKILLed anyway,
 * and with `sweep` any process still carrying the run's environment marker is killed too.
 * Rejects only when the process cannot be spawned at all.
 */
export function runProcess(spec: ProcessSpec, limits: ProcessLimits): Promise<ProcessOutcome> {
  const started = performance.now();
  if (limits.signal?.aborted) {
    return Promise.resolve({
      stdout: '',
      stderr: '',
      exitCode: null,
      signal: null,
      timedOut: false,
      aborted: true,
      durationMs: 0,
      outputTruncated: false,
      status: null,
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', spec.statusChannel ? 'pipe' : 'ignore'],
      windowsHide: true,
    });
    const stdout = new CappedBuffer(limits.maxStdoutBytes);
    const stderr = new CappedBuffer(limits.maxStderrBytes);
    const statusBuf = new CappedBuffer(4096);
    let timedOut = false;
    let aborted = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let finished = false;
    let killed = false;
    const open = new Set<Readable>();

    const killAll = () => {
      const pid = child.pid;
      if (pid === undefined) return;
      if (limits.sweep && !exited) {
        killProcessTree(pid);
      } else {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // group already gone
        }
        if (!exited) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    };
    const stop = (why: 'timeout' | 'abort') => {
      if (exited || killed) return;
      killed = true;
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      killAll();
    };
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);
    const onAbort = () => stop('abort');
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    let drainTimer: NodeJS.Timeout | undefined;

    const finish = async () => {
      if (finished || !exited) return;
      if (open.size > 0 && drainTimer === undefined) {
        // Something still holds the pipes (a background process outside the group); give it a moment.
        drainTimer = setTimeout(() => {
          for (const s of open) s.destroy();
          open.clear();
          void finish();
        }, limits.drainMs ?? 1000);
        return;
      }
      if (open.size > 0) return;
      finished = true;
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (limits.sweep) {
        for (let round = 0; round < 3; round++) {
          const strays = await findProcessesWithEnv(limits.sweep.envMarker);
          if (strays.length === 0) break;
          for (const p of strays) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              // gone
            }
          }
        }
      }
      const status = parseStatus(statusBuf.text());
      let exitCode = exited.code;
      let signal: string | null = exited.signal;
      if (status && !timedOut && !aborted && (status.exitCode !== undefined || status.signal !== undefined)) {
        exitCode = status.exitCode ?? null;
        signal = status.signal ?? null;
      }
      resolve({
        stdout: stdout.text(),
        stderr: stderr.text(),
        exitCode,
        signal,
        timedOut,
        aborted,
        durationMs: performance.now() - started,
        outputTruncated: stdout.truncated || stderr.truncated,
        status,
      });
    };

    const track = (stream: Readable | null | undefined, sink: CappedBuffer) => {
      if (!stream) return;
      open.add(stream);
      stream.on('data', (chunk: Buffer) => sink.push(chunk));
      stream.on('error', () => undefined);
      stream.on('close', () => {
        open.delete(stream);
        void finish();
      });
    };
    track(child.stdout, stdout);
    track(child.stderr, stderr);
    if (spec.statusChannel) track(child.stdio[3] as Readable | null, statusBuf);

    child.on('error', (error) => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (!exited) {
        for (const s of open) s.destroy();
        reject(error);
      }
    });
    child.on('exit', (code, sig) => {
      exited = { code, signal: sig };
      // Reap whatever is left in the group (background jobs that did not leave it).
      killAll();
      void finish();
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin);
    }
  });
}
