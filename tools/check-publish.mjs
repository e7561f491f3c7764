#!/usr/bin/env node
// Publishability check: `npm pack` every public workspace package, install the tarballs into a fresh
// temporary project (no workspace links, optional peers such as tfjs NOT installed), then both `import`
// and `require` each package and check its exports map, typings and README.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');

function workspacePackages() {
  const dirs = [];
  for (const parent of ['packages', 'apps']) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const manifest = join(base, name, 'package.json');
      if (existsSync(manifest)) dirs.push({ dir: join(base, name), pkg: JSON.parse(readFileSync(manifest, 'utf8')) });
    }
  }
  return dirs.filter(({ pkg }) => !pkg.private);
}

function fail(message) {
  console.error(`check-publish: ${message}`);
  process.exitCode = 1;
}

const packages = workspacePackages();
const work = mkdtempSync(join(tmpdir(), 'arpo-publish-'));
const tarballs = join(work, 'tarballs');
const consumer = join(work, 'consumer');
try {
  execFileSync('mkdir', ['-p', tarballs, consumer]);
  for (const { dir, pkg } of packages) {
    for (const field of ['name', 'version', 'license', 'exports', 'files', 'types']) {
      if (!(field in pkg)) fail(`${pkg.name}: package.json lacks "${field}"`);
    }
    if (pkg.sideEffects !== false) fail(`${pkg.name}: package.json must set "sideEffects": false`);
    if (!existsSync(join(dir, 'README.md'))) fail(`${pkg.name}: no README.md`);
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs], { cwd: dir, encoding: 'utf8' });
    const file = out.trim().split('\n').pop();
    const listing = execFileSync('tar', ['-tzf', join(tarballs, file)], { encoding: 'utf8' });
    if (pkg.name === '@arpo/demo-model') {
      for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) if (!listing.includes(`package/model/${f}`)) fail(`${pkg.name}: tarball lacks model/${f}`);
    }
    for (const required of ['package/dist/index.js', 'package/dist/index.cjs', 'package/dist/index.d.ts', 'package/dist/index.d.cts', 'package/README.md']) {
      if (!listing.includes(required)) fail(`${pkg.name}: tarball lacks ${required}`);
    }
    if (/package\/src\//.test(listing)) fail(`${pkg.name}: tarball ships src/ (files should be ["dist"])`);
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', '--ignore-scripts', ...files], {
    cwd: consumer,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const { pkg } of packages) {
    const esm = `const m = await import(${JSON.stringify(pkg.name)}); const n = Object.keys(m).length; if (n === 0) throw new Error('no exports'); console.log(n);`;
    const cjs = `const m = require(${JSON.stringify(pkg.name)}); const n = Object.keys(m).length; if (n === 0) throw new Error('no exports'); console.log(n);`;
    try {
      const nEsm = execFileSync('node', ['--input-type=module', '-e', esm], { cwd: consumer, encoding: 'utf8' }).trim();
      const nCjs = execFileSync('node', ['-e', cjs], { cwd: consumer, encoding: 'utf8' }).trim();
      if (nEsm !== nCjs) fail(`${pkg.name}: import gives ${nEsm} exports, require gives ${nCjs}`);
      console.log(`check-publish: ${pkg.name}@${pkg.version} ok (import and require: ${nEsm} exports)`);
    } catch (error) {
      fail(`${pkg.name}: loading the installed tarball failed:\n${error.stderr ?? error.message}`);
    }
  }
  // The shipped checkpoint loads from the installed tarballs alone (no workspace, no network).
  if (packages.some(({ pkg }) => pkg.name === '@arpo/demo-model')) {
    const load = `const { demoModelPath } = await import('@arpo/demo-model'); const { TfjsPolicy } = await import('@arpo/policy-tfjs');
      const p = await TfjsPolicy.load(demoModelPath()); const n = p.trainableVariables().reduce((a, v) => a + v.size, 0); p.dispose(); console.log(n);`;
    try {
      const n = execFileSync('node', ['--input-type=module', '-e', load], { cwd: consumer, encoding: 'utf8' }).trim().split('\n').pop();
      console.log(`check-publish: @arpo/demo-model loads with @arpo/policy-tfjs from the tarballs (${n} parameters)`);
    } catch (error) {
      fail(`@arpo/demo-model: loading the checkpoint from the installed tarball failed:\n${error.stderr ?? error.message}`);
    }
  }
} finally {
  if (keep) console.log(`check-publish: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (process.exitCode) console.error('check-publish: FAILED');
