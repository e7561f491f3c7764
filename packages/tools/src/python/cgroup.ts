import { ArpoError } from '@arpo/core';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Per-run cgroups: a memory limit that covers everything the sandboxed processes can pin (anonymous memory,
 * memfd and other shmem, tmpfs writes, page cache of files they write) and a pids limit. cgroup v1 (a memory and
 * a pids hierarchy) and v2 (one directory) are both supported; a cgroup is made below the one Node runs in, so
 * this needs root or a delegated subtree.
 */
export type CgroupSupport =
  | { available: true; version: 1; memoryDir: string; pidsDir: string | null }
  | { available: true; version: 2; dir: string; pids: boolean }
  | { available: false; reason: string };

/** Limits of one run's cgroup. */
export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
}

interface CgroupMount {
  fstype: string;
  root: string;
  mountPoint: string;
  superOptions: string[];
}

function cgroupMounts(): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    if (right[0] !== 'cgroup' && right[0] !== 'cgroup2') continue;
    out.push({ fstype: right[0], root: left[3] ?? '/', mountPoint: left[4] ?? '', superOptions: (right[2] ?? '').split(',') });
  }
  return out;
}

function dirFor(mount: CgroupMount, path: string): string {
  const rel = mount.root === '/' ? path : path.startsWith(mount.root) ? path.slice(mount.root.length) : null;
  if (rel === null) throw new ArpoError(`cgroup path ${path} lies outside the mount's root ${mount.root}`);
  return join(mount.mountPoint, rel);
}

/** A writable parent: making (and removing) a child directory works. */
function canMakeChildren(dir: string): string | null {
  const probe = join(dir, `arpo-python-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return null;
  } catch (error) {
    return `cannot create a cgroup in ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

/** Finds where per-run cgroups can be made on this machine (never throws; says why not). */
export function probeCgroups(): CgroupSupport {
  if (process.platform !== 'linux') return { available: false, reason: 'cgroups are Linux-only' };
  let lines: string[];
  let mounts: CgroupMount[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    mounts = cgroupMounts();
  } catch (error) {
    return { available: false, reason: `cannot read /proc/self/cgroup or mountinfo (${String(error)})` };
  }
  const v1 = (controller: string): string | null => {
    const line = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
    const mount = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes(controller));
    if (!line || !mount) return null;
    return dirFor(mount, line.split(':').slice(2).join(':'));
  };
  const memoryDir = v1('memory');
  if (memoryDir) {
    const why = canMakeChildren(memoryDir);
    if (why) return { available: false, reason: `cgroup v1 memory controller: ${why}` };
    const pidsDir = v1('pids');
    return { available: true, version: 1, memoryDir, pidsDir: pidsDir && !canMakeChildren(pidsDir) ? pidsDir : null };
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  const mount2 = mounts.find((m) => m.fstype === 'cgroup2');
  if (!unified || !mount2) return { available: false, reason: 'no cgroup memory controller (neither v1 nor v2) is mounted' };
  const dir = dirFor(mount2, unified.slice(3));
  const enabled = (): string[] => {
    try {
      return readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
    } catch {
      return [];
    }
  };
  if (!enabled().includes('memory')) {
    try {
      writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory +pids');
    } catch (error) {
      return {
        available: false,
        reason:
          `cgroup v2: the memory controller is not enabled for children of ${dir} and cannot be ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)}; run Node in a delegated cgroup that holds no processes of its own)`,
      };
    }
  }
  const why = canMakeChildren(dir);
  if (why) return { available: false, reason: `cgroup v2: ${why}` };
  return { available: true, version: 2, dir, pids: enabled().includes('pids') };
}

let sequence = 0;

/** One run's cgroup(s): made before the run, joined by the run's first process, removed after it. */
export class RunCgroup {
  private constructor(
    private readonly support: Extract<CgroupSupport, { available: true }>,
    /** The `cgroup.procs` files the run's first process writes itself into. */
    readonly procsFiles: string[],
    private readonly dirs: string[],
  ) {}

  static create(support: Extract<CgroupSupport, { available: true }>, limits: CgroupLimits): RunCgroup {
    const name = `arpo-python-${process.pid}-${++sequence}`;
    const dirs: string[] = [];
    const made = (dir: string): string => {
      mkdirSync(dir);
      dirs.push(dir);
      return dir;
    };
    try {
      if (support.version === 1) {
        const mem = made(join(support.memoryDir, name));
        writeFileSync(join(mem, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        tryWrite(join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)); // no swap as a way out
        if (support.pidsDir) writeFileSync(join(made(join(support.pidsDir, name)), 'pids.max'), String(limits.pids));
      } else {
        const dir = made(join(support.dir, name));
        writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
        tryWrite(join(dir, 'memory.swap.max'), '0');
        if (support.pids) writeFileSync(join(dir, 'pids.max'), String(limits.pids));
      }
    } catch (error) {
      void new RunCgroup(support, [], dirs).destroy();
      throw error;
    }
    return new RunCgroup(support, dirs.map((d) => join(d, 'cgroup.procs')), dirs);
  }

  /** `sh -c …` prefix that moves the run's first process into the cgroups, then execs the rest of argv. */
  wrap(argv: readonly string[]): string[] {
    const script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
    return ['/bin/sh', '-c', script, 'arpo-cgroup', ...this.procsFiles, '--', ...argv];
  }

  /** Processes the kernel's OOM killer killed in this cgroup (the memory limit was hit). */
  oomKills(): number {
    const file = this.support.version === 1 ? 'memory.oom_control' : 'memory.events';
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(this.dirs[0]!, file), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

  /** Kills whatever is left in the cgroups and removes them (retrying while exiting processes go away). */
  async destroy(): Promise<void> {
    for (const dir of [...this.dirs].reverse()) {
      for (let attempt = 0; attempt < 200; attempt++) {
        if (!existsSync(dir)) break;
        if (this.support.version === 2) tryWrite(join(dir, 'cgroup.kill'), '1');
        try {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              // gone
            }
          }
          rmdirSync(dir);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }
  }
}

function tryWrite(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // optional knob absent on this kernel
  }
}
