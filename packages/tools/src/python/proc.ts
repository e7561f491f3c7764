import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** One row of the host's process table (from `/proc/<pid>/stat`). */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Process state letter (`R`, `S`, `Z`, `T`, …). */
  state: string;
}

/** Parses `/proc/<pid>/stat` (the command name may contain spaces and parentheses). */
export function parseProcStat(pid: number, text: string): ProcEntry | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  if (state === undefined || !Number.isInteger(ppid) || !Number.isInteger(pgid)) return null;
  return { pid, ppid, pgid, state };
}

function pidsSync(): number[] {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** Reads the whole process table synchronously (used on the kill path, where no await may intervene). */
export function readProcessTableSync(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const pid of pidsSync()) {
    try {
      const entry = parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (entry) out.push(entry);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Every descendant of `root` in `table` (children, grandchildren, …), excluding `root`. */
export function descendantsOf(root: number, table: readonly ProcEntry[]): number[] {
  const children = new Map<number, number[]>();
  for (const e of table) {
    const list = children.get(e.ppid);
    if (list) list.push(e.pid);
    else children.set(e.ppid, [e.pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const next = stack.pop()!;
    for (const c of children.get(next) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone, or not ours
  }
}

/**
 * Kills `root`, its process group and every descendant: freezes the tree with SIGSTOP until no new process
 * appears (a fork loop cannot outrun it), then SIGKILLs everything frozen. Synchronous on purpose.
 */
export function killProcessTree(root: number): void {
  const frozen = new Set<number>();
  signal(-root, 'SIGSTOP');
  for (let round = 0; round < 20; round++) {
    const fresh = [root, ...descendantsOf(root, readProcessTableSync())].filter((p) => !frozen.has(p));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      signal(p, 'SIGSTOP');
      frozen.add(p);
    }
  }
  signal(-root, 'SIGKILL');
  for (const p of frozen) signal(p, 'SIGKILL');
}

/**
 * Pids whose environment contains `NAME=value` exactly (readable only for processes of the same uid, or
 * all of them as root). Used to find processes of a run that left its process tree.
 */
export async function findProcessesWithEnv(entry: string): Promise<number[]> {
  const needle = Buffer.from(`\0${entry}\0`);
  const first = Buffer.from(`${entry}\0`);
  const found: number[] = [];
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)
      .map(async (n) => {
        try {
          const env = await readFile(`/proc/${n}/environ`);
          if (env.includes(needle) || env.subarray(0, first.length).equals(first)) found.push(Number(n));
        } catch {
          // exited, or not readable
        }
      }),
  );
  return found;
}

/** Pids (other than this process) whose command line contains `text`. For tests and audits. */
export function findProcessesWithArgv(text: string): number[] {
  const found: number[] = [];
  for (const pid of pidsSync()) {
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(text)) {
        // Zombies have an empty cmdline; a match means the process is alive.
        found.push(pid);
      }
    } catch {
      // exited
    }
  }
  return found;
}
