import { BuiltinTokenizer, TfjsPolicy } from '@arpo/policy-tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { generateTasks } from './generate.js';
import { createDisabledToolExecutor } from './solver.js';

describe('evaluate with a tiny random TfjsPolicy', () => {
  const set = generateTasks({ suites: ['knowledge'], sizes: { train: 0, validation: 0, test: 3 }, distractors: 0 });
  const examples = set.suites.knowledge!.test;
  const tokenizer = BuiltinTokenizer.train(
    [...examples.map((e) => e.question), '<think> a </think> <search> capital of </search> <answer> \\boxed{ x} </answer>'],
    { vocabSize: 400, minFrequency: 1 },
  );
  let policy: TfjsPolicy | undefined;
  afterAll(() => policy?.dispose());

  it('runs greedy and sampled rounds through a real Policy and reports consistent numbers', async () => {
    policy = await TfjsPolicy.create(
      { vocab_size: 400, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 256 },
      { tokenizer, seed: 1 },
    );
    const options = { format: 'compact' as const, samples: 2, maxNewTokens: 8, maxResponseTokens: 16, seed: 5 };
    const tools = createDisabledToolExecutor();
    const first = await evaluate(policy, tools, examples, options);
    const second = await evaluate(policy, tools, examples, options);
    expect(second).toEqual(first);
    expect(first.rows.map((r) => r.id)).toEqual(examples.map((e) => e.id));
    for (const row of first.rows) {
      expect(row.tokens).toBeGreaterThan(0);
      expect(row.tokens).toBeLessThanOrEqual(16);
      expect(row.samples!.n).toBe(2);
    }
    expect(first.summary.examples).toBe(3);
    expect(first.summary.formatErrorRate).toBe(1); // a random model writes no valid format
    expect(first.summary.passAt1).toBe(0);
  });
});
