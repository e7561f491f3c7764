import { parseArgs } from 'node:util';
import { ArpoConfigError } from '@arpo/core';

/** The commands of the `arpo` CLI. */
export const COMMANDS = ['demo', 'sft', 'train', 'eval', 'report', 'compare', 'config', 'serve', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  out: { type: 'string', short: 'o' },
  model: { type: 'string' },
  algorithm: { type: 'string' },
  steps: { type: 'string' },
  'sft-steps': { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  'first-seed': { type: 'string' },
  algorithms: { type: 'string' },
  suite: { type: 'string' },
  sweep: { type: 'string' },
  rollouts: { type: 'string' },
  workers: { type: 'string' },
  suites: { type: 'string' },
  resume: { type: 'boolean' },
  quick: { type: 'boolean' },
  'from-scratch': { type: 'boolean' },
  schema: { type: 'boolean' },
  print: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  plain: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A parsed command line. */
export interface CliArgs {
  command: CommandName;
  positionals: string[];
  values: {
    config?: string;
    set?: string[];
    out?: string;
    model?: string;
    algorithm?: string;
    steps?: string;
    'sft-steps'?: string;
    seed?: string;
    seeds?: string;
    'first-seed'?: string;
    algorithms?: string;
    suite?: string;
    sweep?: string;
    rollouts?: string;
    workers?: string;
    suites?: string;
    resume?: boolean;
    quick?: boolean;
    'from-scratch'?: boolean;
    schema?: boolean;
    print?: boolean;
    quiet?: boolean;
    json?: boolean;
    plain?: boolean;
    port?: string;
    host?: string;
    help?: boolean;
  };
}

/** Parses `arpo <command> [options]`; unknown options and commands fail with what is accepted. */
export function parseCli(argv: readonly string[]): CliArgs {
  const [first, ...rest] = argv;
  const command = (first === undefined || first === '--help' || first === '-h' ? 'help' : first) as CommandName;
  if (!COMMANDS.includes(command)) {
    throw new ArpoConfigError('arpo command line', [{ field: 'command', value: first, expected: `one of ${COMMANDS.join(', ')}` }]);
  }
  const args = checkOptions(command, rest);
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    return { command, positionals, values: values as CliArgs['values'] };
  } catch (e) {
    throw new ArpoConfigError(`arpo ${command}`, [{ field: 'options', value: rest.join(' '), expected: `${(e as Error).message.replace(/\.$/, '')} (see arpo ${command} --help)` }]);
  }
}

const SHORT: Record<string, string> = { c: 'config', o: 'out', q: 'quiet', h: 'help' };

/**
 * Our own messages for the usual slips, before node's parser sees them: an unknown option (with the nearest known
 * one), a value-taking option without its value, a value given to a switch. `--steps -3` is read as the value -3
 * (the config then says what range it accepts).
 */
function checkOptions(command: CommandName, rest: readonly string[]): string[] {
  const out: string[] = [];
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new ArpoConfigError(`arpo ${command}`, [{ field, value, expected: `${expected} (see arpo ${command === 'help' ? 'help' : `${command} --help`})` }]);
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--') {
      out.push(...rest.slice(i));
      break;
    }
    if (!a.startsWith('-') || /^-\d/.test(a)) {
      out.push(a);
      continue;
    }
    const [flag, inline] = a.startsWith('--') ? [a.slice(2).split('=')[0]!, a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined] : [SHORT[a.slice(1)] ?? '', undefined];
    const spec = (OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[flag];
    if (!spec) {
      const near = nearestOption(a.startsWith('--') ? flag : a.slice(1));
      fail(a.split('=')[0]!, a, `a known option${near ? `: did you mean --${near}?` : ''}`);
    }
    if (spec!.type === 'boolean') {
      if (inline !== undefined) fail(`--${flag}`, a, `--${flag} alone (a switch takes no value)`);
      out.push(a);
      continue;
    }
    if (inline !== undefined) {
      out.push(a);
      continue;
    }
    const next = rest[i + 1];
    const isValue = next !== undefined && (!next.startsWith('-') || /^-\d/.test(next));
    if (!isValue) fail(a, next ?? '(end of line)', `a value after ${a}`);
    out.push(`--${flag}=${next}`);
    i++;
  }
  return out;
}

/** The option within edit distance 2 of `name`, if one is that close. */
function nearestOption(name: string): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of Object.keys(OPTIONS)) {
    const d = editDistance(name, key);
    if (d <= 2 && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ArpoConfigError(`--${name}`, [{ field: `--${name}`, value, expected: 'an integer' }]);
  return n;
}

/** The named flags as config fields (they override the config file; `--set` overrides them). */
export function flagFields(args: CliArgs): Record<string, unknown> {
  const v = args.values;
  const out: Record<string, Record<string, unknown> | number | string> = {};
  const section = (name: string): Record<string, unknown> => (out[name] ??= {}) as Record<string, unknown>;
  const seed = intFlag('seed', v.seed);
  if (seed !== undefined) out['seed'] = seed;
  if (v.model !== undefined) section('model')['path'] = v.model;
  if (v.algorithm !== undefined) section('train')['algorithm'] = v.algorithm;
  const steps = intFlag('steps', v.steps);
  if (steps !== undefined) section('train')['steps'] = steps;
  const sftSteps = intFlag('sft-steps', v['sft-steps']);
  if (sftSteps !== undefined) section('sft')['steps'] = sftSteps;
  if (v.workers !== undefined) out['workers'] = v.workers === 'auto' ? 'auto' : intFlag('workers', v.workers)!;
  const rollouts = intFlag('rollouts', v.rollouts);
  if (rollouts !== undefined) section('arpo')['rollout'] = { rollouts };
  if (v.suites !== undefined) section('data')['suites'] = v.suites.split(',').map((s) => s.trim()).filter(Boolean);
  return out;
}

export { intFlag };
