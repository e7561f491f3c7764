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
  rollouts: { type: 'string' },
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
    rollouts?: string;
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
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
    return { command, positionals, values: values as CliArgs['values'] };
  } catch (e) {
    throw new ArpoConfigError(`arpo ${command}`, [{ field: 'options', value: rest.join(' '), expected: `${(e as Error).message.replace(/\.$/, '')} (see arpo help)` }]);
  }
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
  const out: Record<string, Record<string, unknown> | number> = {};
  const section = (name: string): Record<string, unknown> => (out[name] ??= {}) as Record<string, unknown>;
  const seed = intFlag('seed', v.seed);
  if (seed !== undefined) out['seed'] = seed;
  if (v.model !== undefined) section('model')['path'] = v.model;
  if (v.algorithm !== undefined) section('train')['algorithm'] = v.algorithm;
  const steps = intFlag('steps', v.steps);
  if (steps !== undefined) section('train')['steps'] = steps;
  const sftSteps = intFlag('sft-steps', v['sft-steps']);
  if (sftSteps !== undefined) section('sft')['steps'] = sftSteps;
  const rollouts = intFlag('rollouts', v.rollouts);
  if (rollouts !== undefined) section('arpo')['rollout'] = { rollouts };
  if (v.suites !== undefined) section('data')['suites'] = v.suites.split(',').map((s) => s.trim()).filter(Boolean);
  return out;
}

export { intFlag };
