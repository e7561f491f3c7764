import { describe, expect, it } from 'vitest';
import { parseAdvantageConfig } from './advantage-config.js';
import { parseArpoConfig } from './arpo-config.js';
import { ArpoConfigError } from './errors.js';
import { parseLossConfig } from './loss-config.js';
import { parseOptimizerConfig } from './optimizer-config.js';
import { parseRewardConfig } from './reward-config.js';
import { parseRolloutConfig } from './rollout-config.js';

describe('config defaults equal the reference reasoning script (spec §1, §3, §5)', () => {
  it('rollout', () => {
    const c = parseRolloutConfig();
    expect(c).toMatchObject({
      mode: 'adaptive',
      rollouts: 16, // M
      initialRollouts: 8, // N
      beamSize: 2, // Z = 1
      branchProbability: 0.5, // α
      entropyWeight: 0.2, // β
      branchThreshold: 0.5, // τ (paper)
      branchRule: 'stochastic',
      entropyWindow: 20, // k
      topLogprobs: 10,
      entropySource: 'top-k',
      entropyAggregation: 'sum',
      entropyNormalization: 'ln-vocab',
      baselineReset: 'persistent-slot',
      decisionTiming: 'segment-end',
      budgetAllocation: 'index-order',
      callLimit: 3,
      maxResponseTokens: 4096,
      maxPromptTokens: 1536,
      temperature: 1,
      topP: 1,
      topK: 0,
      toolConcurrency: 64,
      toolRetries: 3,
      toolTimeoutMs: 120_000,
      consecutivePenalty: 0.05, // λ (AEPO; read by branchRule 'consecutive-penalty')
      globalBudget: 'fixed', // AEPO's 'entropy-pre-monitoring' is opt-in
      preMonitorWeight: 0.5, // β_pm
      preMonitorTokens: 50, // initial_entropy_tokens
    });
  });

  it('advantage, loss, optimizer, reward', () => {
    expect(parseAdvantageConfig()).toEqual({ estimator: 'soft', eps: 1e-6, std: 'unbiased', normalizeByStd: true });
    expect(parseLossConfig()).toEqual({
      policyLoss: 'dual-clip',
      clipRatioLow: 0.2,
      clipRatioHigh: 0.2,
      clipRatioC: 3,
      aggregation: 'token-mean',
      klCoef: 0,
      klEstimator: 'k3',
      entropyCoef: 0,
      entropyAdvantageWeight: 0,
      oldLogprobSource: 'recompute',
    });
    expect(parseOptimizerConfig()).toMatchObject({
      learningRate: 1e-6,
      weightDecay: 0.01,
      schedule: 'constant',
      warmupRatio: 0,
      gradClip: 1,
      trainBatchSize: 128,
      miniBatchSize: 16,
      ppoEpochs: 1,
    });
    expect(parseRewardConfig()).toEqual({ multiToolBonus: 0.1, formatPenalty: -1, tools: ['search', 'python'] });
  });

  it('initialRollouts defaults to ceil(M/2) adaptive and M in trajectory mode', () => {
    expect(parseRolloutConfig({ rollouts: 5 }).initialRollouts).toBe(3);
    const grpo = parseRolloutConfig({ mode: 'trajectory', rollouts: 12 });
    expect(grpo.initialRollouts).toBe(12);
    expect(grpo.beamSize).toBe(1);
  });

  it('the full config nests every section with defaults', () => {
    const c = parseArpoConfig({ seed: 3, rollout: { rollouts: 4 } });
    expect(c.seed).toBe(3);
    expect(c.rollout.rollouts).toBe(4);
    expect(c.rollout.initialRollouts).toBe(2);
    expect(c.loss.clipRatioC).toBe(3);
    expect(c.optimizer.learningRate).toBe(1e-6);
  });
});

/** Each bad config must throw ArpoConfigError naming field, value and expectation. */
const badConfigs: { name: string; input: unknown; field: string; value: unknown; message: RegExp }[] = [
  { name: 'M below 1', input: { rollout: { rollouts: 0 } }, field: 'rollout.rollouts', value: 0, message: /rollout\.rollouts = 0 \(expected a number >= 1\)/ },
  { name: 'M not an integer', input: { rollout: { rollouts: 2.5 } }, field: 'rollout.rollouts', value: 2.5, message: /expected an int/ },
  { name: 'N > M', input: { rollout: { rollouts: 4, initialRollouts: 6 } }, field: 'rollout.initialRollouts', value: 6, message: /initialRollouts = 6 \(expected a number <= rollouts \(M = 4\)/ },
  { name: 'α above 1', input: { rollout: { branchProbability: 1.5 } }, field: 'rollout.branchProbability', value: 1.5, message: /expected a number <= 1/ },
  { name: 'β as a string', input: { rollout: { entropyWeight: '0.2' } }, field: 'rollout.entropyWeight', value: '0.2', message: /entropyWeight = "0.2" \(expected a number\)/ },
  // Names of registered implementations (branch rule, aggregation, estimator) are checked by the package that uses
  // them (its registry lists what is registered); the schema only rejects an empty name.
  { name: 'empty branch rule', input: { rollout: { branchRule: '' } }, field: 'rollout.branchRule', value: '', message: /rollout\.branchRule = "" \(expected/ },
  { name: 'misspelled key', input: { rollout: { rollout: 16 } }, field: 'rollout.rollout', value: 16, message: /rollout\.rollout = 16 \(expected a known field/ },
  { name: 'k = 0', input: { rollout: { entropyWindow: 0 } }, field: 'rollout.entropyWindow', value: 0, message: /entropyWindow = 0/ },
  { name: 'N ≠ M in trajectory mode', input: { rollout: { mode: 'trajectory', rollouts: 8, initialRollouts: 4 } }, field: 'rollout.initialRollouts', value: 4, message: /trajectory mode/ },
  { name: 'negative consecutive penalty λ', input: { rollout: { consecutivePenalty: -0.1 } }, field: 'rollout.consecutivePenalty', value: -0.1, message: /consecutivePenalty = -0.1 \(expected a number >= 0\)/ },
  { name: 'unknown global budget', input: { rollout: { globalBudget: 'dynamic' } }, field: 'rollout.globalBudget', value: 'dynamic', message: /"fixed", "entropy-pre-monitoring"/ },
  { name: 'pre-monitoring in trajectory mode', input: { rollout: { mode: 'trajectory', globalBudget: 'entropy-pre-monitoring' } }, field: 'rollout.globalBudget', value: 'entropy-pre-monitoring', message: /'fixed' in trajectory mode/ },
  { name: 'infinite β_pm', input: { rollout: { preMonitorWeight: Number.POSITIVE_INFINITY } }, field: 'rollout.preMonitorWeight', value: Number.POSITIVE_INFINITY, message: /preMonitorWeight = Infinity \(expected a number\)/ },
  { name: 'pre-monitor tokens 0', input: { rollout: { preMonitorTokens: 0 } }, field: 'rollout.preMonitorTokens', value: 0, message: /preMonitorTokens = 0 \(expected a number >= 1\)/ },
  { name: 'dual-clip c ≤ 1', input: { loss: { clipRatioC: 1 } }, field: 'loss.clipRatioC', value: 1, message: /clipRatioC = 1 \(expected a number > 1\)/ },
  { name: 'empty aggregation', input: { loss: { aggregation: '' } }, field: 'loss.aggregation', value: '', message: /loss\.aggregation = "" \(expected/ },
  { name: 'empty KL estimator', input: { loss: { klEstimator: '' } }, field: 'loss.klEstimator', value: '', message: /loss\.klEstimator = "" \(expected/ },
  { name: 'empty policy loss', input: { loss: { policyLoss: '' } }, field: 'loss.policyLoss', value: '', message: /loss\.policyLoss = "" \(expected/ },
  { name: 'negative entropy-advantage weight', input: { loss: { entropyAdvantageWeight: -0.2 } }, field: 'loss.entropyAdvantageWeight', value: -0.2, message: /expected a number >= 0/ },
  { name: 'negative KL coefficient', input: { loss: { klCoef: -0.1 } }, field: 'loss.klCoef', value: -0.1, message: /expected a number >= 0/ },
  { name: 'empty advantage estimator', input: { advantage: { estimator: '' } }, field: 'advantage.estimator', value: '', message: /advantage\.estimator = "" \(expected/ },
  { name: 'mini-batch not dividing the batch', input: { optimizer: { trainBatchSize: 10, miniBatchSize: 4 } }, field: 'optimizer.miniBatchSize', value: 4, message: /a divisor of trainBatchSize \(10\)/ },
  { name: 'learning rate 0', input: { optimizer: { learningRate: 0 } }, field: 'optimizer.learningRate', value: 0, message: /expected a number > 0/ },
  { name: 'top-p 0', input: { rollout: { topP: 0 } }, field: 'rollout.topP', value: 0, message: /topP = 0 \(expected a number > 0\)/ },
  { name: 'section not an object', input: { rollout: 16 }, field: 'rollout', value: 16, message: /rollout = 16 \(expected an object\)/ },
  { name: 'whole config null', input: null, field: '(root)', value: null, message: /\(root\) = null \(expected an object\)/ },
  { name: 'NaN temperature', input: { rollout: { temperature: Number.NaN } }, field: 'rollout.temperature', value: Number.NaN, message: /temperature = NaN/ },
];

describe('invalid configs fail with the field, the value and what was expected', () => {
  for (const bad of badConfigs) {
    it(bad.name, () => {
      let error: unknown;
      try {
        parseArpoConfig(bad.input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ArpoConfigError);
      const e = error as ArpoConfigError;
      expect(e.field).toBe(bad.field);
      expect(e.value).toEqual(bad.value);
      expect(e.message).toMatch(/^Invalid ARPO config: /);
      expect(e.message).toMatch(bad.message);
    });
  }

  it('reports every bad field at once', () => {
    expect(() => parseArpoConfig({ rollout: { rollouts: 0 }, loss: { clipRatioC: 0.5 } })).toThrow(
      'Invalid ARPO config: rollout.rollouts = 0 (expected a number >= 1); loss.clipRatioC = 0.5 (expected a number > 1)',
    );
  });
});
