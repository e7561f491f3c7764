import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArpoError } from '@arpo/core';

/**
 * The Python program every executor starts (`python -s -B -c <this program> <json config>`). It:
 *
 * 1. reads the user's code from stdin (then points stdin at /dev/null, so `input()` gets EOF);
 * 2. in `mounts` mode (the subprocess executor's namespace sandbox, running as root in fresh mount/pid/net
 *    namespaces): makes the whole host filesystem read-only, mounts a private size-capped tmpfs on /tmp and
 *    /dev/shm, hides non-traversable parents of the interpreter's prefix (e.g. a 0700 /root holding pyenv)
 *    behind a tmpfs that shows only the prefix, brings loopback up and chdirs to /tmp;
 * 3. with `supervise`: forks. The parent becomes a child subreaper, waits for the child (checking every
 *    `memoryWatchdog.intervalMs` that the summed memory (PSS) of the tree stays under the limit, else kills the tree
 *    and says so on stderr), reports the child's exit code / signal / exceeded limit as one JSON line on
 *    `statusFd`, and kills every process left in its tree — setsid'd or double-forked daemons included —
 *    before exiting (it says so on stderr when the CPU limit killed the child);
 * 4. in the child: drops privileges (`dropTo`), sets rlimits (`limits`), then runs the code exactly like
 *    `python -c code` — the reference's AST pass wraps a bare last expression that is not a `print(...)` call
 *    in `print(...)`; the code is compiled as `<string>` with its own line numbers and executed in a fresh
 *    `__main__` module; uncaught exceptions print the usual traceback (without this bootstrap's frame) and
 *    exit 1; a SyntaxError prints the usual caret message and exits 1.
 *
 * The program lives in `bootstrap.py` beside this file (copied next to the bundle as `dist/bootstrap.py`), read
 * once on first use.
 */
export function pythonBootstrap(): string {
  cached ??= readFileSync(bootstrapFile(), 'utf8');
  return cached;
}

let cached: string | undefined;

/** `src/python/bootstrap.py` when run from source (tests), `dist/bootstrap.py` when run from the bundle. */
function bootstrapFile(): string {
  const candidates = [new URL('./bootstrap.py', import.meta.url), new URL('./python/bootstrap.py', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new ArpoError(`@arpo/tools: the Python bootstrap is missing (looked for ${candidates.join(', ')}); reinstall the package`);
  return found;
}

/** What the bootstrap does to the code's process before running it. */
export interface SandboxHardening {
  /**
   * Install the seccomp filter (after `PR_SET_NO_NEW_PRIVS`): keyring, namespace, mount, ptrace, bpf,
   * perf_event_open, kernel-module, reboot, clock and io_uring syscalls and `socket(AF_UNIX, …)` fail with EPERM,
   * `clone3` with ENOSYS (glibc falls back to `clone`, whose flags are checked); other ABIs are refused.
   */
  seccomp: boolean;
  /** Join a fresh, empty session keyring (after the privilege drop). */
  newKeyring: boolean;
  /** Written to /proc/self/oom_score_adj (1000: the code dies first when its cgroup runs out of memory), or null. */
  oomScoreAdj: number | null;
}

/** JSON config the bootstrap reads from `argv[1]`. */
export interface BootstrapConfig {
  /** Wrap a bare last expression in `print(...)` (the reference's AST pass). */
  wrapLastExpression: boolean;
  /**
   * Fork; the parent (a child subreaper) reports the child's exit code / signal on `statusFd`, runs the
   * memory watchdog, and kills whatever is left of its process tree when the child exits.
   */
  supervise: boolean;
  /**
   * Kill the whole tree when its memory passes `limitBytes`: the summed PSS (else RSS) of its processes, plus
   * memfd files they hold open, plus (`sysvShm`, only in a private IPC namespace) System V shared-memory segments.
   */
  memoryWatchdog: { limitBytes: number; intervalMs: number; sysvShm: boolean } | null;
  /** File descriptor of the status channel (3), or null. */
  statusFd: number | null;
  /**
   * Namespace sandbox setup (requires root in fresh mount/pid/net/uts namespaces), or null: read-only host
   * filesystem, private tmpfs, `hostname` set in the new UTS namespace, host boot id and machine id replaced.
   */
  mounts: { tmpfsBytes: number; expose: string[]; hostname: string | null } | null;
  /** Close every inherited descriptor but 0, 1, 2 and `statusFd` before anything else. */
  closeFds: boolean;
  /** Applied to the code's process (after `mounts`, around the privilege drop). */
  hardening: SandboxHardening;
  /** Drop to this uid/gid (and PR_SET_NO_NEW_PRIVS) before running the code, or null. */
  dropTo: { uid: number; gid: number } | null;
  /** rlimits (soft = hard) for the user's code; null entries are left alone. */
  limits: { as: number | null; cpu: number | null; fsize: number | null; nofile: number | null; nproc: number | null; core: number | null };
}
