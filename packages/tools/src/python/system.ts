import { ArpoError } from '@arpo/core';
import { spawn } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

/** Result of running a short helper command. */
export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: string;
}

/** Runs a short command (probes); never rejects. Killed after `timeoutMs`. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(command, [...args], {
        env: options.env ?? process.env,
        cwd: options.cwd ?? '/',
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      resolve({ code: null, signal: null, stdout, stderr, error: String(error) });
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, options.timeoutMs ?? 15_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, error: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Finds an executable on `PATH` (or checks an explicit path); null when absent. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return isAbsolute(c) ? c : realpathSync(c);
    } catch {
      // not here
    }
  }
  return null;
}

/** The interpreter as it sees itself (resolved once per path; pyenv shims and venvs resolved). */
export interface InterpreterInfo {
  /** What was configured, e.g. `python3`. */
  requested: string;
  /** `sys.executable`: the binary actually started (no shim in between). */
  executable: string;
  /** `major.minor.micro`. */
  version: string;
  /** Real paths of sys.prefix / base_prefix / exec_prefix / base_exec_prefix and the executable's directory. */
  roots: string[];
}

const INTERPRETER_PROBE = [
  'import sys, os, json',
  'paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(os.path.realpath(sys.executable)), os.path.dirname(sys.executable)]',
  'print(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3], "roots": sorted(set(os.path.realpath(p) for p in paths if p))}))',
].join('\n');

const interpreterCache = new Map<string, Promise<InterpreterInfo>>();

/**
 * Resolves the interpreter once (cached per path): runs it with the parent's environment (so shims work)
 * and asks for `sys.executable` and its prefixes. Rejects with a clear message when it cannot be run.
 */
export function resolveInterpreter(requested: string): Promise<InterpreterInfo> {
  let cached = interpreterCache.get(requested);
  if (!cached) {
    cached = (async () => {
      const r = await runCommand(requested, ['-c', INTERPRETER_PROBE]);
      if (r.code !== 0) {
        interpreterCache.delete(requested);
        const why = r.error ?? (r.stderr.trim() || `exit code ${String(r.code)}`);
        throw new ArpoError(`Python interpreter '${requested}' could not be started: ${why}`);
      }
      const info = JSON.parse(r.stdout.trim()) as { executable: string; version: string; roots: string[] };
      if (!info.executable) throw new ArpoError(`Python interpreter '${requested}' did not report sys.executable`);
      return { requested, executable: info.executable, version: info.version, roots: info.roots };
    })();
    interpreterCache.set(requested, cached);
  }
  return cached;
}

/** PATH for sandboxed code: the interpreter's own bin directory first, then the system directories. */
export function sandboxPath(info: InterpreterInfo): string {
  const dirs = [dirname(info.executable), '/usr/local/bin', '/usr/bin', '/bin'];
  return [...new Set(dirs)].join(':');
}

/** Whether this process runs as root (namespaces and privilege drop need it). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
