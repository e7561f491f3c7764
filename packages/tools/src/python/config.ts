import { z } from 'zod';

const MiB = 1024 * 1024;

/** Settings shared by every Python executor (validated; defaults filled in). */
const sharedFields = {
  /**
   * The interpreter: a name on PATH or a path. Default `python3` (the reference runs a conda env's python;
   * point this at it). Resolved once to its real binary (`sys.executable`), so pyenv shims cost nothing.
   */
  interpreter: z.string().min(1).default('python3'),
  /** Address-space limit of the user's code (RLIMIT_AS), bytes. 1 GiB: `bytearray(8 GB)` is a MemoryError. */
  memoryBytes: z.number().int().min(64 * MiB).default(1024 * MiB),
  /**
   * Limit on the summed memory (proportional set size) of all processes of a run, bytes (RLIMIT_AS is per process, so
   * without this `N` processes could use `N × memoryBytes`). Checked every 50 ms by the supervisor, which
   * kills the whole tree and prints a MemoryError line on stderr. Default: `memoryBytes`.
   */
  totalMemoryBytes: z.number().int().min(64 * MiB).optional(),
  /** CPU-time limit (RLIMIT_CPU) per process, seconds. Default: the call's timeout rounded up, plus 1. */
  cpuSeconds: z.number().int().min(1).optional(),
  /** File-size limit (RLIMIT_FSIZE), bytes. */
  maxFileBytes: z.number().int().min(0).default(16 * MiB),
  /** Open-file limit (RLIMIT_NOFILE). */
  maxOpenFiles: z.number().int().min(16).default(256),
  /**
   * Process/thread limit (RLIMIT_NPROC). Counted per uid, so it is applied only where the code runs under a
   * uid of its own (the namespace sandbox, bubblewrap, a privilege drop); elsewhere it would count every
   * process of the user running Node.
   */
  maxProcesses: z.number().int().min(1).default(256),
  /** Size of the private /tmp (and /dev/shm) tmpfs where one is mounted (namespace sandbox, bubblewrap), bytes. */
  tmpfsBytes: z.number().int().min(MiB).default(64 * MiB),
  /** stdout kept per run, bytes; the rest is discarded and `outputTruncated` set. */
  maxStdoutBytes: z.number().int().min(1).default(MiB),
  /** stderr kept per run, bytes. */
  maxStderrBytes: z.number().int().min(1).default(MiB),
  /**
   * Extra environment variables for the code (nothing is inherited from Node). The default pins BLAS/OpenMP
   * to one thread: many calls run at once, and per-thread buffers count against `memoryBytes`.
   */
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string())
    .default({ OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }),
  /**
   * Run Python with `-I` (isolated mode). Off by default: the environment is already fully controlled, and
   * `-I` would make Python ignore `PYTHONHASHSEED=0` (string hashes, set order) and drop the working
   * directory from `sys.path` (the reference's `python -c` keeps it). The default flags are `-s -B`.
   */
  isolatedMode: z.boolean().default(false),
  /** The reference's AST pass: a bare last expression other than `print(...)` is printed. */
  wrapLastExpression: z.boolean().default(true),
  /**
   * When Node runs as root, the code runs under an unprivileged uid taken from this pool, a new one for
   * each run (so RLIMIT_NPROC and signal permissions are per run). First uid of the pool.
   */
  uidBase: z.number().int().min(1000).max(4_000_000_000).default(2_100_000_000),
  /** Size of the per-run uid pool. */
  uidCount: z.number().int().min(1).max(1_000_000).default(65_536),
  /**
   * `auto`: each run in a cgroup of its own (v1 or v2; needs root or a delegated subtree) whose memory limit covers
   * everything the code can pin (anonymous memory, memfd/shmem, tmpfs writes, page cache) and whose pids limit
   * bounds its processes; where no cgroup can be made, the watchdog (which also counts memfd files and, in a private
   * IPC namespace, System V segments) is the bound. `off`: never.
   */
  cgroup: z.enum(['auto', 'off']).default('auto'),
  /**
   * Memory limit of the run's cgroup, bytes. Default: `totalMemoryBytes` (else `memoryBytes`) plus twice
   * `tmpfsBytes` plus 256 MiB (page cache, kernel memory), so the watchdog's clearer message usually comes first.
   */
  cgroupMemoryBytes: z.number().int().min(64 * MiB).optional(),
  /**
   * A seccomp filter on the code (x86-64 and arm64): keyring, namespace creation, mount, ptrace, bpf,
   * perf_event_open, kernel-module, reboot, clock, io_uring calls and `socket(AF_UNIX, …)` fail with EPERM.
   */
  seccomp: z.boolean().default(true),
  /** Hostname inside the sandbox's own UTS namespace (namespace sandbox, bubblewrap); the host's is never shown. */
  hostname: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,62})$/, 'a hostname of lower-case letters, digits and "-"')
    .default('sandbox'),
};

/** Options of {@link SubprocessPythonExecutor}. */
export const SubprocessPythonExecutorConfigSchema = z.strictObject({
  ...sharedFields,
  /**
   * `auto`: when running as root and `unshare` works, run in fresh mount/PID/network/IPC/UTS namespaces with a
   * read-only host filesystem, private /tmp and an unprivileged per-call uid; else fall back to rlimits + a
   * process-tree sweep (+ `unshare -n` and a privilege drop where those work). `off`: always the fallback.
   */
  namespaces: z.enum(['auto', 'off']).default('auto'),
  /**
   * Without namespaces, when running as root: `auto` runs the code under an unprivileged per-call uid if the
   * interpreter is readable by it (checked once); `off` keeps root.
   */
  dropPrivileges: z.enum(['auto', 'off']).default('auto'),
  /** Parent directory of the per-run working directories (fallback mode). Default: the OS temp dir. */
  tempDir: z.string().min(1).optional(),
});
export type SubprocessPythonExecutorConfig = z.output<typeof SubprocessPythonExecutorConfigSchema>;
export type SubprocessPythonExecutorOptions = z.input<typeof SubprocessPythonExecutorConfigSchema>;

/** Options of {@link BubblewrapPythonExecutor}. */
export const BubblewrapPythonExecutorConfigSchema = z.strictObject({
  ...sharedFields,
  /** The `bwrap` binary (name on PATH or path). */
  bwrapPath: z.string().min(1).default('bwrap'),
  /** Extra host directories bound read-only at the same path (e.g. a data directory the code may read). */
  readOnlyBinds: z.array(z.string().startsWith('/', 'an absolute path')).default([]),
  /**
   * When Node does not run as root: uid and gid of the code inside the sandbox's user namespace
   * (`--unshare-user --uid`). As root, a per-run uid from the pool is used instead (see `uidBase`), because a
   * user namespace created by root maps the sandbox to host uid 0, which RLIMIT_NPROC does not limit.
   */
  sandboxUid: z.number().int().min(1).max(4_000_000_000).default(65_534),
});
export type BubblewrapPythonExecutorConfig = z.output<typeof BubblewrapPythonExecutorConfigSchema>;
export type BubblewrapPythonExecutorOptions = z.input<typeof BubblewrapPythonExecutorConfigSchema>;

/** Options of {@link createPythonTool}. */
export const PythonToolConfigSchema = z.strictObject({
  /** Wall-clock limit per call, ms. Reference: `subprocess.run(..., timeout=120)`. */
  timeoutMs: z.number().int().min(1).default(120_000),
  /** Result text longer than this is cut with a note. Default: no cut here (the executor caps bytes). */
  maxOutputChars: z.number().int().min(1).optional(),
  /** The tag: the model writes `<python>code</python>`. */
  name: z
    .string()
    .refine((v) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(v), 'a tag name of letters, digits, "_" or "-"')
    .default('python'),
  /** One line for prompts and docs. */
  description: z
    .string()
    .default('Runs a Python program and returns its standard output (the last bare expression is printed).'),
});
export type PythonToolConfig = z.output<typeof PythonToolConfigSchema>;
export type PythonToolOptions = z.input<typeof PythonToolConfigSchema>;
