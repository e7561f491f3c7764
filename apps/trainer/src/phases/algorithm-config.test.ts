import { parseLossConfig, parseRolloutConfig } from '@arpo/core';
import { describe, expect, it } from 'vitest';
import { algorithmConfigs } from './algorithm-config.js';

describe('algorithmConfigs', () => {
  const rollout = parseRolloutConfig({ rollouts: 8, initialRollouts: 4 });
  const loss = parseLossConfig({});

  it('grpo: trajectory mode with N = M, the loss unchanged', () => {
    const c = algorithmConfigs('grpo', { ...rollout, globalBudget: 'entropy-pre-monitoring' }, loss);
    expect(c.rollout.mode).toBe('trajectory');
    expect(c.rollout.globalBudget).toBe('fixed');
    expect(parseRolloutConfig(c.rollout).initialRollouts).toBe(8);
    expect(c.loss).toBe(loss);
  });

  it('arpo: the adaptive rollout with the section as it is', () => {
    const c = algorithmConfigs('arpo', rollout, loss);
    expect(c.rollout).toEqual({ ...rollout, mode: 'adaptive' });
    expect(c.loss).toBe(loss);
  });

  it('aepo: the four entropy-balanced options on top of arpo', () => {
    const c = algorithmConfigs('aepo', rollout, loss);
    expect(c.rollout).toEqual({ ...rollout, mode: 'adaptive', globalBudget: 'entropy-pre-monitoring', branchRule: 'consecutive-penalty' });
    expect(c.loss).toEqual({ ...loss, policyLoss: 'entropy-balanced', entropyAdvantageWeight: 0.2 });
    expect(() => parseRolloutConfig(c.rollout)).not.toThrow();
    expect(() => parseLossConfig(c.loss)).not.toThrow();
  });
});
