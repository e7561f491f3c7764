#!/usr/bin/env node
// `npm run demo` / `npm run example`: build every package's JavaScript (nx, cached; no .d.ts, which running needs
// none of) and print one line instead of the build log; on failure, print the whole log and exit with its code.
import { spawnSync } from 'node:child_process';

const started = Date.now();
process.stderr.write('building the packages (nx, cached)… ');
const r = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], {
  encoding: 'utf8',
  env: { ...process.env, NX_DAEMON: process.env.NX_DAEMON ?? 'false', ARPO_BUILD_JS_ONLY: '1' },
  maxBuffer: 256 * 1024 * 1024,
});
if (r.status !== 0) {
  process.stderr.write('failed\n');
  process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
  process.exit(r.status ?? 1);
}
process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
