#!/usr/bin/env node
// Python tool latency: p50 / p95 over ~30 sequential calls of `print(1)` and of `import numpy`, for every
// executor that works on this machine (subprocess — namespace sandbox or fallback — and bubblewrap), plus a
// bare `python3 -c` spawn as the floor, and a burst of concurrent calls. Run after `npm run build`:
//   node bench/python-bench.mjs            (ARPO_BENCH_CALLS=30 by default)
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const modulePath = process.env.ARPO_TOOLS_MODULE ?? '../dist/index.js';
const { SubprocessPythonExecutor, BubblewrapPythonExecutor, detectBubblewrap, createPythonTool } = await import(modulePath);

const CALLS = Number(process.env.ARPO_BENCH_CALLS ?? 30);
const BURST = 16;
const PROGRAMS = [
  ['print(1)', 'print(1)', '1'],
  ['import numpy', 'import numpy as np; int(np.arange(4).sum())', '6'],
];

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const fmt = (ms) => `${ms.toFixed(0).padStart(5)} ms`;

function summary(times) {
  const s = [...times].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), min: s[0], max: s[s.length - 1] };
}

function spawnOnce(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

const rows = [];
async function bench(label, fn) {
  await fn(); // warm-up (first call also probes the machine)
  const times = [];
  for (let i = 0; i < CALLS; i++) times.push(await fn());
  const s = summary(times);
  rows.push({ label, ...s });
  console.log(`${label.padEnd(58)} p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`);
}

const started = performance.now();
console.log(`Python tool latency — ${CALLS} sequential calls each, ${availableParallelism()} CPUs, Node ${process.version}`);

// Floor: a bare interpreter spawn, no isolation at all (the reference's subprocess.run).
const probe = new SubprocessPythonExecutor();
const iso = await probe.init();
const py = iso.interpreter.executable;
for (const [name, code] of PROGRAMS) {
  const src = code.includes('import numpy') ? 'import numpy as np; print(int(np.arange(4).sum()))' : code;
  await bench(`bare \`python3 -c\` (no isolation), ${name}`, () => spawnOnce([py, '-c', src]));
}

// Each executor with its hardening (seccomp filter, per-run cgroup) and without: the per-call cost of the hardening.
const HARDENING_OFF = { seccomp: false, cgroup: 'off' };
const printRows = new Map();
const executors = [
  ['subprocess', new SubprocessPythonExecutor()],
  ['subprocess, no seccomp/cgroup', new SubprocessPythonExecutor(HARDENING_OFF)],
  ['subprocess (namespaces off)', new SubprocessPythonExecutor({ namespaces: 'off' })],
  ['subprocess (namespaces off), no seccomp/cgroup', new SubprocessPythonExecutor({ namespaces: 'off', ...HARDENING_OFF })],
];
const bw = await detectBubblewrap();
if (bw.available) {
  executors.push(['bubblewrap', new BubblewrapPythonExecutor()]);
  executors.push(['bubblewrap, no seccomp/cgroup', new BubblewrapPythonExecutor(HARDENING_OFF)]);
} else console.log(`bubblewrap: skipped (${bw.reason})`);

for (const [label, executor] of executors) {
  const info = await executor.init();
  if (!label.includes('no seccomp')) console.log(`${label}: ${executor.describe().replace(/^.*(hardening: [^;]*);.*$/s, '$1')}`);
  const tool = createPythonTool(executor, { timeoutMs: 30_000 });
  const mode = info.mode ? ` [${info.mode}]` : '';
  for (const [name, code, expected] of PROGRAMS) {
    await bench(`${label}${mode}, ${name}`, async () => {
      const t0 = performance.now();
      const r = await tool.execute(code);
      if (r.text !== expected) throw new Error(`${label}: ${code} gave ${r.status} ${JSON.stringify(r.text)}`);
      return performance.now() - t0;
    });
    if (name === 'print(1)') printRows.set(label, rows[rows.length - 1]);
  }
  const t0 = performance.now();
  const burst = await Promise.all(Array.from({ length: BURST }, () => tool.execute('print(1)')));
  const wall = performance.now() - t0;
  if (burst.some((r) => r.text !== '1')) throw new Error(`${label}: burst gave a wrong answer`);
  console.log(`${`${label}${mode}, ${BURST} concurrent print(1)`.padEnd(58)} wall ${fmt(wall)}  (${(BURST / (wall / 1000)).toFixed(1)} calls/s)`);
}

console.log('\nhardening overhead (print(1), with − without the seccomp filter and the per-run cgroup):');
for (const [label] of executors.filter(([l]) => !l.includes('no seccomp'))) {
  const on = printRows.get(label);
  const off = printRows.get(`${label}, no seccomp/cgroup`);
  if (on && off) {
    console.log(
      `  ${label.padEnd(30)} p50 ${on.p50.toFixed(1)} vs ${off.p50.toFixed(1)} ms (${(on.p50 - off.p50 >= 0 ? '+' : '') + (on.p50 - off.p50).toFixed(1)} ms, ` +
        `${(on.p50 / off.p50).toFixed(2)}×); p95 ${on.p95.toFixed(1)} vs ${off.p95.toFixed(1)} ms`,
    );
  }
}
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
