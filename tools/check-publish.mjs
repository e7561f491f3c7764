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
      for (const folder of ['model', 'model-deep-search']) {
        for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) if (!listing.includes(`package/${folder}/${f}`)) fail(`${pkg.name}: tarball lacks ${folder}/${f}`);
      }
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
    const load = `const { demoModelPath, deepSearchModelPath } = await import('@arpo/demo-model'); const { TfjsPolicy } = await import('@arpo/policy-tfjs');
      const p = await TfjsPolicy.load(demoModelPath()); const n = p.trainableVariables().reduce((a, v) => a + v.size, 0); p.dispose();
      const q = await TfjsPolicy.load(deepSearchModelPath()); if (q.config.max_position_embeddings !== 768) throw new Error('deep-search checkpoint: context ' + q.config.max_position_embeddings); q.dispose(); console.log(n);`;
    try {
      const n = execFileSync('node', ['--input-type=module', '-e', load], { cwd: consumer, encoding: 'utf8' }).trim().split('\n').pop();
      console.log(`check-publish: @arpo/demo-model loads with @arpo/policy-tfjs from the tarballs (${n} parameters)`);
    } catch (error) {
      fail(`@arpo/demo-model: loading the checkpoint from the installed tarball failed:\n${error.stderr ?? error.message}`);
    }
  }
  // Replica workers start from the installed tarballs (worker script and policy module found in node_modules), from
  // ESM and from CommonJS: an SFT step on two lanes equals the one-lane step.
  {
    const body = `const s = { promptTokens: [1, 5, 6], responseTokens: [7, 8, 9, 10], lossMask: [1, 1, 1, 1] };
      const losses = [];
      for (const workers of [1, 2]) {
        const p = await TfjsPolicy.load(demoModelPath(), { log: () => {} });
        const o = new PolicyOptimizer(p, { workers, optimizer: { microBatchSize: 1 } });
        losses.push((await o.sftStep([s, s])).loss);
        o.dispose();
        p.dispose();
      }
      if (losses[0] !== losses[1]) throw new Error('losses differ: ' + losses.join(' vs '));
      console.log(losses[1]);`;
    const esm = `const { demoModelPath } = await import('@arpo/demo-model'); const { TfjsPolicy } = await import('@arpo/policy-tfjs'); const { PolicyOptimizer } = await import('@arpo/optimizer');\n${body}`;
    const cjs = `const { demoModelPath } = require('@arpo/demo-model'); const { TfjsPolicy } = require('@arpo/policy-tfjs'); const { PolicyOptimizer } = require('@arpo/optimizer');\n(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`;
    try {
      const a = execFileSync('node', ['--input-type=module', '-e', esm], { cwd: consumer, encoding: 'utf8' }).trim().split('\n').pop();
      const b = execFileSync('node', ['-e', cjs], { cwd: consumer, encoding: 'utf8' }).trim().split('\n').pop();
      console.log(`check-publish: replica workers run from the tarballs, ESM and CommonJS (SFT loss ${a} / ${b} with 1 and 2 lanes)`);
    } catch (error) {
      fail(`@arpo/optimizer: replica workers from the installed tarballs failed:\n${error.stderr ?? error.message}`);
    }
  }
  typescriptConsumer(files);
  runExamples();
} finally {
  if (keep) console.log(`check-publish: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (process.exitCode) console.error('check-publish: FAILED');

/**
 * A TypeScript research project that installs only core, entropy, advantage and rollout from the tarballs (no tfjs,
 * no native modules), type-checks with `skipLibCheck: false` under NodeNext resolution, and runs ARPO rollouts
 * over its own policy and a plain `Tool[]`, then computes advantages.
 */
function typescriptConsumer(tarballFiles) {
  const names = ['core', 'entropy', 'advantage', 'rollout'];
  const dir = join(work, 'consumer-ts');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer-ts', private: true, version: '0.0.0', type: 'module' }));
  const picked = names.map((n) => tarballFiles.find((f) => new RegExp(`arpo-${n}-\\d`).test(f)));
  if (picked.some((f) => !f)) return fail(`typescript consumer: missing a tarball of ${names.join(', ')}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', '--ignore-scripts', ...picked], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (existsSync(join(dir, 'node_modules', '@tensorflow'))) fail('typescript consumer: @tensorflow was installed, but none of these packages needs it');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
        outDir: 'out', typeRoots: [join(root, 'node_modules', '@types')], types: ['node'], lib: ['ES2022'],
      },
      files: ['main.ts'],
    }),
  );
  writeFileSync(join(dir, 'main.ts'), consumerSource());
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    return fail(`typescript consumer (skipLibCheck: false, no tfjs) does not type-check:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  }
  try {
    const out = execFileSync('node', ['out/main.js'], { cwd: dir, encoding: 'utf8' }).trim();
    // M = 4 from N = 2 searches; branches share their parent's search, refills make their own (2 to 4 in all).
    if (!/^groups 1, trajectories 4, searches [2-4], advantages 0,0,0,0$/.test(out)) fail(`typescript consumer printed ${JSON.stringify(out)}`);
    else console.log(`check-publish: a TypeScript project with only ${names.map((n) => `@arpo/${n}`).join(', ')} (no tfjs) type-checks with skipLibCheck: false and runs rollouts over its own policy and Tool[]: ${out}`);
  } catch (error) {
    fail(`typescript consumer failed to run:\n${error.stderr ?? error.message}`);
  }
}

function consumerSource() {
  return `import { createRng, type Generation, type GenerateRequest, type Policy, type Tokenizer, type Tool } from '@arpo/core';
import { EntropyTracker } from '@arpo/entropy';
import { computeAdvantages } from '@arpo/advantage';
import { RolloutEngine } from '@arpo/rollout';

/** Characters 0..127 as ids, 128 = EOS. */
const tokenizer: Tokenizer = {
  specificationVersion: 'v1',
  vocabSize: 129,
  eosTokenId: 128,
  padTokenId: 128,
  encode: (text) => [...text].map((c) => c.charCodeAt(0) & 127),
  decode: (ids) => ids.filter((i) => i < 128).map((i) => String.fromCharCode(i)).join(''),
};

/** Searches once, then answers. */
class MyPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly modelId = 'my-policy';
  readonly tokenizer = tokenizer;
  async generate(request: GenerateRequest): Promise<Generation[]> {
    return request.prefixes.map((prefix) => {
      const done = tokenizer.decode(prefix).includes('</search>');
      const text = done ? '<answer>Paris</answer>' : '<search>capital of France</search>';
      const tokens = [...tokenizer.encode(text), ...(done ? [tokenizer.eosTokenId] : [])];
      return {
        tokens,
        logprobs: tokens.map(() => -0.1),
        entropies: tokens.map(() => 0.5),
        finishReason: done ? 'eos' : 'stop',
        ...(done ? {} : { stopString: '</search>' }),
      };
    });
  }
}

const search: Tool = { specificationVersion: 'v1', name: 'search', execute: async (q) => ({ status: 'ok', text: 'Paris is the capital of ' + q.slice(-6) }) };
const engine = new RolloutEngine({
  policy: new MyPolicy(),
  tools: [search],
  config: { rollouts: 4, initialRollouts: 2, entropySource: 'full' },
  rng: createRng(1),
  tracker: new EntropyTracker({ baselineReset: 'persistent-slot' }),
});
const { groups, metrics } = await engine.run([{ promptId: 'q0', promptTokens: tokenizer.encode('Capital of France?') }]);
const rewards = groups[0]!.trajectories.map(() => 1);
const advantages = computeAdvantages({ ...groups[0]!, rewards });
console.log(\`groups \${groups.length}, trajectories \${groups[0]!.trajectories.length}, searches \${metrics.toolCallsExecuted['search'] ?? 0}, advantages \${advantages.scalarAdvantages.join(',')}\`);
`;
}

/**
 * The research examples (`examples/*.mjs`) run against the installed tarballs (plus the official `openai` client,
 * pinned in the root package.json and taken from npm's cache): each must exit 0 and end with `…: ok`.
 */
function runExamples() {
  const dir = join(root, 'examples');
  if (!existsSync(dir)) return;
  const openaiVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies?.openai;
  if (openaiVersion) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--no-save', `openai@${openaiVersion}`], {
      cwd: consumer,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
    writeFileSync(join(consumer, file), readFileSync(join(dir, file)));
    try {
      const out = execFileSync('node', [file], { cwd: consumer, encoding: 'utf8', timeout: 300_000 }).trim();
      const last = out.split('\n').pop() ?? '';
      if (!/: ok$/.test(last)) fail(`example ${file} ended with ${JSON.stringify(last)} (expected "…: ok")`);
      else console.log(`check-publish: example ${file} runs from the tarballs (${last})`);
    } catch (error) {
      fail(`example ${file} failed from the tarballs:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    }
  }
}
