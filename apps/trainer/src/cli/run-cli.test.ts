import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { helpFor } from './help.js';
import { commandLineMain } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'arpo-run-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('arpo compare flags', () => {
  it('rejects bad --algorithms, --suite and --sweep with an ArpoConfigError naming the flag, before any work', async () => {
    const cases: [string[], string][] = [
      [['--algorithms', 'foo'], '--algorithms'],
      [['--algorithms', 'grpo,arpo,grpo'], '--algorithms'],
      [['--algorithms', 'arpo,'], '--algorithms'],
      [['--suite', 'x'], '--suite'],
      [['--sweep', 'rollout.branchProbability'], '--sweep'],
      [['--sweep', '=0.2,0.5'], '--sweep'],
      [['--seeds', '0'], '--seeds'],
    ];
    for (const [flags, field] of cases) {
      const out = join(root, 'cmp');
      const error = await commandLineMain(['compare', ...flags, '--out', out, '--quiet']).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, flags.join(' ')).toBeInstanceOf(ArpoConfigError);
      expect((error as ArpoConfigError).field, flags.join(' ')).toBe(field);
      expect((error as ArpoConfigError).message).toContain(`Invalid arpo compare: ${field} = `);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('arpo help', () => {
  it("names every compare flag and aepo in the overview and the commands' help", () => {
    const compare = helpFor('compare');
    expect(compare.split('\n')[0]).toBe('Usage: arpo compare [options]');
    for (const flag of ['--algorithms', '--suite', '--seeds', '--first-seed', '--sweep', 'compare.json', 'frontier.svg']) expect(compare).toContain(flag);
    expect(helpFor('train')).toContain('arpo | grpo | aepo (train.algorithm)');
    expect(helpFor()).toContain('arpo | grpo | aepo (train.algorithm)');
  });
});
