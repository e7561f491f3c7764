import { ArpoConfigError } from '@arpo/core';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { EvalRow } from '../run-files.js';
import { runEvaluation } from '../phases/evaluation.js';
import { openSession, writeSummary, type CommandEnv } from './session.js';

/** `arpo eval`: greedy pass@1 of `model.path` on the held-out questions, tools on (and off). */
export async function evalCommand(env: CommandEnv, options: { config: TrainerConfig; out: string }): Promise<EvalRow[]> {
  const modelPath = options.config.model.path;
  if (!modelPath) throw new ArpoConfigError('arpo eval', [{ field: 'model.path (--model)', value: undefined, expected: 'the folder of the model to evaluate' }]);
  const session = await openSession(env, 'eval', options.out, options.config);
  const policy = await TfjsPolicy.load(modelPath, { backend: options.config.model.backend, seed: options.config.seed, log: (m) => env.reporter.info(m) });
  try {
    const rows = await runEvaluation(session, policy, session.tools.executor, session.data.heldOut, 'standalone', 0);
    writeSummary(session, 'eval', 'completed', { steps: 0 });
    return rows;
  } finally {
    policy.dispose();
    await session.tools.close();
  }
}
