import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A server in a child process. */
export interface ChildServer {
  url: string;
  child: ChildProcess;
}

/** Starts `serve-checkpoint.ts` under vite-node (so the test runs the current sources) and waits for its URL. */
export function spawnCheckpointServer(checkpointDir: string): Promise<ChildServer> {
  const viteNode = findUp(import.meta.dirname, join('node_modules', 'vite-node', 'vite-node.mjs'));
  const script = join(import.meta.dirname, 'serve-checkpoint.ts');
  const child = spawn(process.execPath, [viteNode, script, checkpointDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`server child exited with ${code} before listening: ${err}`)));
  });
}

/** `relative` in `dir` or the nearest parent that has it. */
function findUp(dir: string, relative: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, relative))) return join(d, relative);
    if (dirname(d) === d) throw new Error(`${relative} not found above ${dir} (vite-node comes with vitest)`);
  }
}
