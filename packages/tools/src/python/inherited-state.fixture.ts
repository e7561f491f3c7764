/**
 * Test fixture (run by vite-node, not part of the build): a Node process that holds what a real trainer process may
 * hold without meaning to — descriptors without close-on-exec (fds 40 and 41, set up by the launcher in
 * `attacks.test.ts`) and a session keyring with a secret in it — runs one program in one executor and prints
 * the result as JSON. Profile `none` runs plain `python3` (the detector check).
 *
 * argv[2]: JSON `{ profile, code, timeoutMs, limits }`.
 */
import { spawn } from 'node:child_process';
import { BubblewrapPythonExecutor } from './bubblewrap-executor.js';
import type { PythonExecutor, PythonRunResult } from './python-executor.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';

interface FixtureArgs {
  profile: 'none' | 'namespaces' | 'basic-root' | 'bubblewrap';
  code: string;
  timeoutMs: number;
  limits: Record<string, number>;
}

async function unsandboxed(code: string): Promise<PythonRunResult> {
  const started = Date.now();
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return {
    stdout,
    stderr,
    exitCode,
    signal: null,
    timedOut: false,
    aborted: false,
    durationMs: Date.now() - started,
    outputTruncated: false,
    limitExceeded: null,
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as FixtureArgs;
  let executor: PythonExecutor | null = null;
  if (args.profile === 'namespaces') executor = new SubprocessPythonExecutor(args.limits);
  else if (args.profile === 'basic-root') executor = new SubprocessPythonExecutor({ ...args.limits, namespaces: 'off', dropPrivileges: 'off' });
  else if (args.profile === 'bubblewrap') executor = new BubblewrapPythonExecutor(args.limits);
  const result = executor ? await executor.run(args.code, { timeoutMs: args.timeoutMs }) : await unsandboxed(args.code);
  process.stdout.write(`\n@@RESULT@@${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stdout.write(`\n@@ERROR@@${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
