import { resolve } from 'node:path';
import { ArpoConfigError } from '@arpo/core';
import { trainerConfigJsonSchema } from '../config/json-schema.js';
import { resolveConfig } from '../config/load-config.js';
import { COMPARE_CONFIG, DEEP_SEARCH_CONFIG, QUICK_CONFIG, pretrainedDeepSearchConfig, pretrainedDemoConfig } from '../config/presets.js';
import { deepMerge, type TrainerConfig } from '../config/trainer-config.js';
import { compareCommand } from '../commands/compare-command.js';
import { demoCommand } from '../commands/demo-command.js';
import { evalCommand } from '../commands/eval-command.js';
import { sftCommand } from '../commands/sft-command.js';
import { serveCommand } from '../commands/serve-command.js';
import { trainCommand } from '../commands/train-command.js';
import type { CommandEnv } from '../commands/session.js';
import { defaultOutputMode, Reporter, type OutputMode } from '../progress/reporter.js';
import type { Algorithm, EvalRow } from '../run-files.js';
import { ALGORITHMS } from '../phases/algorithm-config.js';
import { RunFolder } from '../run/run-folder.js';
import { StopSignal } from '../run/stop-signal.js';
import { writeReport } from '../report/index.js';
import { checkRegisteredNames } from './check-names.js';
import { checkConfigPaths } from './check-paths.js';
import { helpFor } from './help.js';
import { flagFields, intFlag, parseCli, type CliArgs } from './parse-cli.js';

function outputMode(args: CliArgs): OutputMode {
  if (args.values.json) return 'json';
  if (args.values.quiet) return 'quiet';
  if (args.values.plain) return 'plain';
  return defaultOutputMode(process.stderr);
}

/**
 * The config of a run command: on `--resume` the run folder's saved config (flags must not change it), else
 * defaults ← command preset ← `--quick` ← file ← flags ← `--set`, validated before any work starts.
 */
function commandConfig(args: CliArgs, out: string, base: Record<string, unknown> = {}): TrainerConfig {
  const saved = args.values.resume ? RunFolder.readConfigAt(out) : null;
  if (saved) return resolveConfig({ base: saved.config as Record<string, unknown> });
  if (args.values.resume) {
    throw new ArpoConfigError(`arpo ${args.command}`, [
      { field: '--resume', value: out, expected: `a run folder written by an earlier arpo ${args.command} (this one has no config.json; leave out --resume to start a new run)` },
    ]);
  }
  // `--quick` shortens everything; a pretrained start (sft.steps = 0 in the base) stays without SFT.
  const keepNoSft = (base.sft as { steps?: number } | undefined)?.steps === 0 ? { sft: { steps: 0 } } : {};
  const preset = args.values.quick ? (deepMerge(deepMerge(base, QUICK_CONFIG), keepNoSft) as Record<string, unknown>) : base;
  return resolveConfig({ base: preset, ...(args.values.config ? { file: args.values.config } : {}), flags: flagFields(args), assignments: args.values.set ?? [] });
}

/**
 * The preset under a command's config: `demo` and `compare` start from `@arpo/demo-model`'s checkpoint unless
 * `--from-scratch` (then: data → demonstrations → SFT of a fresh model → RL, as before the checkpoint shipped).
 */
function commandBase(args: CliArgs): Record<string, unknown> {
  const pretrained = !args.values['from-scratch'] && !args.values.model;
  const demo = pretrained ? pretrainedDemoConfig() : {};
  if (args.command === 'demo') return demo;
  if (args.command === 'compare') {
    const suite = compareSuite(args);
    const start = suite === 'deep-search' ? (pretrained ? pretrainedDeepSearchConfig() : DEEP_SEARCH_CONFIG) : demo;
    return deepMerge(start, COMPARE_CONFIG) as Record<string, unknown>;
  }
  return {};
}

/** `--suite` of `arpo compare`: the suite and its pretrained start (`knowledge` by default). */
function compareSuite(args: CliArgs): 'knowledge' | 'deep-search' {
  const suite = args.values.suite ?? 'knowledge';
  if (suite !== 'knowledge' && suite !== 'deep-search') throw new ArpoConfigError('arpo compare', [{ field: '--suite', value: suite, expected: 'knowledge or deep-search' }]);
  return suite;
}

/** `--seeds`, `--first-seed`, `--algorithms` and `--sweep` of `arpo compare`. */
function compareFlags(args: CliArgs): { seeds: number; firstSeed?: number; algorithms?: Algorithm[]; sweep?: { path: string; values: unknown[] } } {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new ArpoConfigError('arpo compare', [{ field, value, expected }]);
  };
  const seeds = intFlag('seeds', args.values.seeds) ?? 3;
  if (seeds < 1) fail('--seeds', seeds, 'an integer >= 1');
  const firstSeed = intFlag('first-seed', args.values['first-seed']);
  if (firstSeed !== undefined && firstSeed < 0) fail('--first-seed', firstSeed, 'an integer >= 0');
  let algorithms: Algorithm[] | undefined;
  if (args.values.algorithms !== undefined) {
    algorithms = args.values.algorithms.split(',').map((a) => a.trim()) as Algorithm[];
    const unknown = algorithms.filter((a) => !ALGORITHMS.includes(a));
    if (algorithms.length === 0 || unknown.length > 0 || new Set(algorithms).size !== algorithms.length) {
      fail('--algorithms', args.values.algorithms, `a comma-separated list of distinct names from ${ALGORITHMS.join(', ')}`);
    }
  }
  let sweep: { path: string; values: unknown[] } | undefined;
  if (args.values.sweep !== undefined) {
    const m = /^([A-Za-z][\w.]*)=(.+)$/.exec(args.values.sweep);
    if (!m) fail('--sweep', args.values.sweep, 'path=v1,v2,… under the arpo section, e.g. rollout.branchProbability=0.2,0.5,0.8');
    const values = m![2]!.split(',').map((v) => {
      const t = v.trim();
      const n = Number(t);
      return t === 'true' ? true : t === 'false' ? false : t !== '' && Number.isFinite(n) ? n : t;
    });
    sweep = { path: m![1]!.replace(/^arpo\./, ''), values };
  }
  return { seeds, ...(firstSeed !== undefined ? { firstSeed } : {}), ...(algorithms ? { algorithms } : {}), ...(sweep ? { sweep } : {}) };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Before/after lines of an RL stage, per suite, tools on and off, with the Wilson 95% interval of each accuracy. */
function evalTable(rows: readonly EvalRow[]): string {
  return rows
    .map((r) => {
      const calls = Object.values(r.toolCallsPerExample).reduce((a, b) => a + b, 0);
      const interval = r.interval95 ? ` [${(100 * r.interval95[0]).toFixed(1)}, ${(100 * r.interval95[1]).toFixed(1)}]` : '';
      const atLimit = r.finishReasons?.['length'] ?? 0;
      const cut = atLimit > 0 ? `, ${atLimit} at the length limit` : '';
      return `  ${r.stage.padEnd(10)} ${r.suite.padEnd(10)} tools ${r.tools.padEnd(3)}  accuracy ${pct(r.accuracy).padStart(6)}${interval.padEnd(15)}  format errors ${pct(r.formatErrorRate).padStart(6)}  tool calls/question ${calls.toFixed(2)}  (${r.examples} questions${cut})`;
    })
    .concat(changeLines(rows))
    .join('\n');
}

/** `after-rl − before-rl` per suite and tools mode, with the 95% half-width 1.96·√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂). */
function changeLines(rows: readonly EvalRow[]): string[] {
  const out: string[] = [];
  for (const after of rows.filter((r) => r.stage === 'after-rl')) {
    const before = rows.find((r) => r.stage === 'before-rl' && r.suite === after.suite && r.tools === after.tools);
    if (!before) continue;
    const v = (r: EvalRow): number => (r.examples > 0 ? (r.accuracy * (1 - r.accuracy)) / r.examples : 0);
    const delta = 100 * (after.accuracy - before.accuracy);
    const half = 100 * 1.96 * Math.sqrt(v(before) + v(after));
    out.push(`  RL change  ${after.suite.padEnd(10)} tools ${after.tools.padEnd(3)}  ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points ± ${half.toFixed(1)} (95%)`);
  }
  return out;
}

/** Runs one CLI invocation; returns the exit code (0 ok, 2 bad input, 130 interrupted). */
export async function commandLineMain(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.command === 'help' || args.values.help) {
    process.stdout.write(helpFor(args.command === 'help' ? args.positionals[0] : args.command));
    return 0;
  }
  const reporter = new Reporter({ mode: outputMode(args) });
  const print = (text: string): void => {
    if (reporter.mode !== 'json') process.stdout.write(`${text}\n`);
  };
  if (args.command === 'config') {
    if (args.values.schema) {
      process.stdout.write(`${JSON.stringify(trainerConfigJsonSchema(), null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(commandConfig(args, ''), null, 2)}\n`);
    return 0;
  }
  if (args.command === 'report') {
    if (args.positionals.length === 0) throw new ArpoConfigError('arpo report', [{ field: '<run-dir>', value: undefined, expected: 'one or more run folders' }]);
    const path = await writeReport(args.positionals.map((p) => resolve(p)), args.values.out ? resolve(args.values.out) : undefined);
    print(`report: ${path}`);
    reporter.record('report', { path });
    return 0;
  }
  if (args.command === 'serve') {
    const stop = new StopSignal().install();
    try {
      const port = intFlag('port', args.values.port);
      const serveConfig = commandConfig(args, '');
      checkConfigPaths(serveConfig, 'serve');
      checkRegisteredNames(serveConfig, 'serve');
      await serveCommand({ reporter, stop, argv: ['arpo', ...argv] }, { config: serveConfig, ...(args.values.host ? { host: args.values.host } : {}), ...(port !== undefined ? { port } : {}) });
    } finally {
      stop.uninstall();
    }
    return 0;
  }

  const out = resolve(args.values.out ?? `runs/${args.command}`);
  const base = commandBase(args);
  const config = commandConfig(args, out, base);
  checkConfigPaths(config, args.command);
  checkRegisteredNames(config, args.command);
  const stop = new StopSignal().install((sig) => reporter.warn(`${sig}: stopping after the current step and saving a checkpoint (again to exit at once)`));
  const env: CommandEnv = { reporter, stop, argv: ['arpo', ...argv] };
  try {
    switch (args.command) {
      case 'demo': {
        const r = await demoCommand(env, { config, out, resume: args.values.resume ?? false });
        print(`\nRL stage (ARPO, ${r.summary.steps} steps), held-out test questions:\n${evalTable([...r.before, ...r.after])}`);
        print(`\nreport: ${r.report}`);
        reporter.record('result', { summary: r.summary, report: r.report });
        break;
      }
      case 'sft': {
        const r = await sftCommand(env, { config, out, resume: args.values.resume ?? false });
        print(`\n${evalTable(r.evals)}\nmodel: ${r.modelDir ?? '(not completed)'}`);
        reporter.record('result', { summary: r.summary, modelDir: r.modelDir });
        break;
      }
      case 'train': {
        const r = await trainCommand(env, { config, out, resume: args.values.resume ?? false });
        print(`\n${evalTable([...r.before, ...r.after])}\nmodel: ${r.modelDir ?? '(not completed)'}\nreport: ${r.report}`);
        reporter.record('result', { summary: r.summary, modelDir: r.modelDir, report: r.report });
        break;
      }
      case 'eval': {
        const rows = await evalCommand(env, { config, out });
        print(`\n${evalTable(rows)}`);
        reporter.record('result', { evaluations: rows });
        break;
      }
      case 'compare': {
        const r = await compareCommand(env, { config, out, ...compareFlags(args) });
        print(`\n${r.table}\n\nreport: ${r.report}`);
        reporter.record('result', { lines: r.lines, report: r.report });
        break;
      }
    }
  } finally {
    stop.uninstall();
  }
  if (stop.stopped) {
    reporter.warn(`stopped by ${stop.stoppedBy}; continue with --resume --out ${out}`);
    return 130;
  }
  return 0;
}
