import { advantageEstimators } from '@arpo/advantage';
import { ArpoConfigError, type FieldProblem, type NamedRegistry } from '@arpo/core';
import { branchRules } from '@arpo/entropy';
import { lossAggregations } from '@arpo/optimizer';
import type { TrainerConfig } from '../config/trainer-config.js';

/**
 * Checks the names that select a registered implementation (advantage estimator, branch rule, loss aggregation)
 * before any work, so that a typo costs no index build. Names registered by the caller's code (before the
 * trainer runs) are accepted.
 */
export function checkRegisteredNames(config: TrainerConfig, command: string): void {
  const problems: FieldProblem[] = [];
  const check = (registry: NamedRegistry<unknown>, field: string, name: string): void => {
    if (!registry.has(name)) problems.push({ field, value: name, expected: `one of the registered ${registry.kind}s: ${registry.names().join(', ')}` });
  };
  check(advantageEstimators as NamedRegistry<unknown>, 'arpo.advantage.estimator', config.arpo.advantage.estimator);
  check(branchRules as NamedRegistry<unknown>, 'arpo.rollout.branchRule', config.arpo.rollout.branchRule);
  check(lossAggregations as NamedRegistry<unknown>, 'arpo.loss.aggregation', config.arpo.loss.aggregation);
  if (problems.length > 0) throw new ArpoConfigError(`arpo ${command}`, problems);
}
