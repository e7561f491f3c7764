/**
 * The contract between the Python tool and the thing that actually runs Python code. Two implementations
 * ship: {@link SubprocessPythonExecutor} (default; rlimits, namespaces where permitted) and
 * {@link BubblewrapPythonExecutor} (hardened; `bwrap`).
 */

/** Options of one {@link PythonExecutor.run} call. */
export interface PythonRunOptions {
  /** Wall-clock limit in milliseconds; the whole process tree is killed with SIGKILL when it passes. */
  timeoutMs: number;
  /** Aborts the run: the process tree is killed and the result has `aborted: true`. */
  signal?: AbortSignal;
}

/** What one run produced. Never thrown: every failure of the user's code is described here. */
export interface PythonRunResult {
  /** Captured standard output, UTF-8 decoded (invalid bytes replaced), capped at the executor's limit. */
  stdout: string;
  /** Captured standard error (tracebacks), same cap. */
  stderr: string;
  /** Exit code of the program; `null` when it was killed by a signal (see `signal`). */
  exitCode: number | null;
  /** Name of the signal that killed the program (e.g. `SIGKILL` from the CPU limit, `SIGSEGV`), else `null`. */
  signal: string | null;
  /** The wall-clock timeout fired and the process tree was killed. */
  timedOut: boolean;
  /** The run was aborted through `signal` before it finished. */
  aborted: boolean;
  /** Wall-clock duration of the run (spawn to exit), in milliseconds. */
  durationMs: number;
  /** stdout or stderr went past the capture cap; the rest was discarded. */
  outputTruncated: boolean;
  /**
   * Which limit ended the run, when one did: `time` (wall clock), `cpu` (RLIMIT_CPU), `memory` (the
   * total-memory watchdog). A per-process RLIMIT_AS hit is an ordinary MemoryError in the code.
   */
  limitExceeded: 'time' | 'cpu' | 'memory' | null;
}

/** Runs one Python program to completion, in isolation, and reports what happened. */
export interface PythonExecutor {
  /** Short identifier, e.g. `subprocess` or `bubblewrap`. */
  readonly name: string;
  /**
   * Runs `code` as `python -c code` would (after the reference's last-expression wrapping) in a fresh
   * process with no state from earlier runs. Resolves for every outcome of the user's code (errors,
   * timeouts, crashes); rejects only when the executor itself cannot work (e.g. no interpreter).
   */
  run(code: string, options: PythonRunOptions): Promise<PythonRunResult>;
  /** One paragraph on the isolation in force (which limits, namespaces, what is and is not contained). */
  describe(): string;
  /** Releases resources (nothing is kept between runs by the built-in executors). */
  close?(): Promise<void>;
}
