import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (the test target depends on this package's build). */
export const CLI = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));

/** Runs `arpo …` to completion. */
export function arpo(args: readonly string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `arpo …` in the background. */
export function arpoBackground(args: readonly string[], cwd: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? -1 : null))));
  return { child, output: () => text, exited };
}

/** Polls until `path` exists (or the process exits / the time is up). */
export async function waitForFile(path: string, exited: Promise<unknown>, timeoutMs = 240_000): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path)) return true;
    if (done) return existsSync(path);
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
