import { afterAll, beforeAll, describe, it } from 'vitest';
import { ToyToolTokenizer, tinyTfjsPolicy, trainablePolicyConformance } from '@arpo/testing';
import { TfjsPolicy } from './tfjs-policy.js';
import { useWasm } from './testing/setup-backend.js';

// @arpo/testing's conformance suites: the Policy and TrainablePolicy contracts, as third-party policies run them.
let policy: TfjsPolicy;
beforeAll(async () => {
  await useWasm();
  policy = await tinyTfjsPolicy(TfjsPolicy, new ToyToolTokenizer(), { seed: 4 });
});
afterAll(() => policy?.dispose());

describe('TfjsPolicy meets the TrainablePolicy conformance suite', () => {
  const tok = new ToyToolTokenizer();
  for (const c of trainablePolicyConformance(() => policy, { prompt: tok.encode('<think> capital of France') })) it(c.name, c.run, 60_000);
});
