import { checkGenerations, type Generation, type GenerateRequest, type Policy, type TrainablePolicy } from '@arpo/core';
import { asConformance, expectThat, mustNotThrow, type ConformanceCheck } from './conformance-check.js';

/** What the suites feed the policy. */
export interface PolicyConformanceOptions {
  /** A prompt in the policy's token ids (default: the tokenizer's encoding of `Question: 1+1?`). */
  prompt?: readonly number[];
  /** New tokens per sequence (default 6). */
  maxNewTokens?: number;
  /** Max |Δ log-prob| between generation and scoring (TrainablePolicy suite; default 2e-3, float32). */
  logprobTolerance?: number;
}

const sampling = (temperature: number) => ({ temperature, topP: 1, topK: 0 });

async function promptOf(policy: Policy, options: PolicyConformanceOptions): Promise<number[]> {
  const p = options.prompt ?? policy.tokenizer.encode('Question: 1+1?');
  expectThat(p.length > 0, 'conformance options', 'the prompt must hold at least one token');
  return [...p];
}

function checkOne(gens: unknown, request: GenerateRequest, vocabSize: number): Generation[] {
  asConformance(() =>
    checkGenerations(gens, { count: request.prefixes.length, vocabSize, maxNewTokens: request.maxNewTokens, topLogprobs: request.topLogprobs ?? 0 }, 'Policy.generate result'),
  );
  return gens as Generation[];
}

/**
 * The `Policy` contract (version 1), as the rollout engine relies on it: the fields, one well-formed generation per
 * prefix (ids below `vocabSize`, one finite log-prob ≤ 0 per token, at most `maxNewTokens`), seeded sampling that
 * repeats, greedy decoding that repeats, top-k log-probs when asked, stop strings that end the text, and `fork` /
 * `release` when offered.
 */
export function policyConformance(make: () => Policy | Promise<Policy>, options: PolicyConformanceOptions = {}): ConformanceCheck[] {
  const n = options.maxNewTokens ?? 6;
  return [
    {
      name: 'Policy: contract fields and tokenizer',
      run: async () => {
        const p = await make();
        expectThat(p.specificationVersion === 'v1', 'Policy.specificationVersion', `is ${JSON.stringify(p.specificationVersion)} (expected 'v1')`);
        expectThat(typeof p.modelId === 'string' && p.modelId.length > 0, 'Policy.modelId', 'must be a non-empty string');
        const t = p.tokenizer;
        expectThat(t?.specificationVersion === 'v1', 'Policy.tokenizer.specificationVersion', "must be 'v1'");
        expectThat(Number.isInteger(t.vocabSize) && t.vocabSize > 0, 'Policy.tokenizer.vocabSize', `is ${t.vocabSize} (expected an integer > 0)`);
        for (const key of ['eosTokenId', 'padTokenId'] as const) {
          expectThat(Number.isInteger(t[key]) && t[key] >= 0 && t[key] < t.vocabSize, `Policy.tokenizer.${key}`, `is ${t[key]} (expected an id below vocabSize)`);
        }
        const ids = t.encode('abc 123');
        expectThat(Array.isArray(ids) && ids.every((i) => Number.isInteger(i) && i >= 0 && i < t.vocabSize), 'Policy.tokenizer.encode', 'must return ids below vocabSize');
        expectThat(typeof t.decode(ids) === 'string', 'Policy.tokenizer.decode', 'must return a string');
        if (p.contextLength !== undefined) {
          expectThat(Number.isInteger(p.contextLength) && p.contextLength > 0, 'Policy.contextLength', `is ${p.contextLength} (expected an integer > 0)`);
        }
      },
    },
    {
      name: 'Policy.generate: one well-formed generation per prefix, per-sequence caps',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt, [...prompt, ...prompt]], maxNewTokens: [n, 2], sampling: sampling(1), seed: 11 };
        checkOne(await mustNotThrow('Policy.generate', () => p.generate(request)), request, p.tokenizer.vocabSize);
      },
    },
    {
      name: 'Policy.generate: the same seed and prefixes give the same tokens',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt, prompt], maxNewTokens: n, sampling: sampling(1), seed: 5 };
        const a = checkOne(await p.generate(request), request, p.tokenizer.vocabSize).map((g) => g.tokens);
        const b = checkOne(await p.generate(request), request, p.tokenizer.vocabSize).map((g) => g.tokens);
        expectThat(JSON.stringify(a) === JSON.stringify(b), 'Policy.generate with seed 5', `gave ${JSON.stringify(a)} then ${JSON.stringify(b)} (expected the same tokens)`);
      },
    },
    {
      name: 'Policy.generate: greedy (T = 0) repeats',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt], maxNewTokens: n, sampling: sampling(0) };
        const a = checkOne(await p.generate(request), request, p.tokenizer.vocabSize)[0]!.tokens;
        const b = checkOne(await p.generate(request), request, p.tokenizer.vocabSize)[0]!.tokens;
        expectThat(JSON.stringify(a) === JSON.stringify(b), 'Policy.generate at temperature 0', `gave ${JSON.stringify(a)} then ${JSON.stringify(b)}`);
      },
    },
    {
      name: 'Policy.generate: top-k log-probs when asked (k candidates per position, sorted, ≤ 0)',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt], maxNewTokens: n, sampling: sampling(1), seed: 3, topLogprobs: 3 };
        const [g] = checkOne(await p.generate(request), request, p.tokenizer.vocabSize);
        expectThat(Array.isArray(g!.topLogprobs) && g!.topLogprobs.length === g!.tokens.length, 'Generation.topLogprobs', 'must hold one list per token when topLogprobs > 0');
        g!.topLogprobs!.forEach((list, j) => {
          expectThat(list.length >= 1 && list.length <= 3, `Generation.topLogprobs[${j}]`, `has ${list.length} candidates (expected 1 to 3)`);
          list.forEach((c, r) => {
            expectThat(Number.isInteger(c.token) && c.token >= 0 && c.token < p.tokenizer.vocabSize && c.logprob <= 1e-4 && Number.isFinite(c.logprob), `Generation.topLogprobs[${j}][${r}]`, `is ${JSON.stringify(c)}`);
            if (r > 0) expectThat(c.logprob <= list[r - 1]!.logprob + 1e-6, `Generation.topLogprobs[${j}]`, 'must be sorted by log-prob, highest first');
          });
        });
      },
    },
    {
      name: 'Policy.generate: a stop string ends the text and is reported',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        // Stop at whatever the policy generates first (greedy), so every policy meets the stop string.
        const probe: GenerateRequest = { prefixes: [prompt], maxNewTokens: n, sampling: sampling(0) };
        const first = checkOne(await p.generate(probe), probe, p.tokenizer.vocabSize)[0]!;
        const text = p.tokenizer.decode(first.tokens, { skipSpecialTokens: true });
        if (text.trim().length === 0) return; // nothing printable to stop at
        const stop = text.trim().slice(0, 1);
        const request: GenerateRequest = { prefixes: [prompt], maxNewTokens: n, sampling: sampling(0), stop: [stop] };
        const [g] = checkOne(await p.generate(request), request, p.tokenizer.vocabSize);
        expectThat(g!.finishReason === 'stop', 'Generation.finishReason', `is '${g!.finishReason}' (expected 'stop': greedy text ${JSON.stringify(text)} contains the stop string ${JSON.stringify(stop)})`);
        expectThat(g!.stopString === stop, 'Generation.stopString', `is ${JSON.stringify(g!.stopString)} (expected ${JSON.stringify(stop)})`);
        // The stop string is included: it ends within the last token (a token may run past it).
        const all = p.tokenizer.decode(g!.tokens, { skipSpecialTokens: true });
        const before = p.tokenizer.decode(g!.tokens.slice(0, -1), { skipSpecialTokens: true });
        expectThat(all.includes(stop) && !before.includes(stop), 'Generation.tokens', `decode to ${JSON.stringify(all)} (expected the stop string ${JSON.stringify(stop)} to end within the last token)`);
      },
    },
    {
      name: 'Policy.fork / release (optional): a branch continues from its parent',
      run: async () => {
        const p = await make();
        if (!p.fork) return;
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt], sequenceIds: ['conformance/0'], maxNewTokens: 2, sampling: sampling(1), seed: 9 };
        const [g] = checkOne(await p.generate(request), request, p.tokenizer.vocabSize);
        await mustNotThrow('Policy.fork', () => p.fork!('conformance/0', 'conformance/1'));
        const next: GenerateRequest = { prefixes: [[...prompt, ...g!.tokens]], sequenceIds: ['conformance/1'], maxNewTokens: 2, sampling: sampling(1), seed: 10 };
        checkOne(await mustNotThrow('Policy.generate after fork', () => p.generate(next)), next, p.tokenizer.vocabSize);
        await mustNotThrow('Policy.release', async () => {
          await p.release?.('conformance/0');
          await p.release?.('conformance/1');
        });
      },
    },
  ];
}

/**
 * The `TrainablePolicy` contract on top of {@link policyConformance}: `logprobs` gives one finite log-prob ≤ 0 per
 * response token, and scoring a generated continuation at the generation's temperature gives the log-probs the
 * generation reported (the reference recomputes π_old this way); trainable variables exist.
 */
export function trainablePolicyConformance(make: () => TrainablePolicy | Promise<TrainablePolicy>, options: PolicyConformanceOptions = {}): ConformanceCheck[] {
  const tolerance = options.logprobTolerance ?? 2e-3;
  return [
    ...policyConformance(make, options),
    {
      name: 'TrainablePolicy.logprobs: one finite log-prob per response token, equal to the generation’s',
      run: async () => {
        const p = await make();
        const prompt = await promptOf(p, options);
        const request: GenerateRequest = { prefixes: [prompt], maxNewTokens: options.maxNewTokens ?? 6, sampling: sampling(1), seed: 21 };
        const [g] = checkOne(await p.generate(request), request, p.tokenizer.vocabSize);
        const [scored] = await mustNotThrow('TrainablePolicy.logprobs', () => p.logprobs({ sequences: [{ promptTokens: prompt, responseTokens: g!.tokens }] }));
        expectThat(Array.isArray(scored) && scored.length === g!.tokens.length, 'TrainablePolicy.logprobs', `returned ${scored?.length} values for ${g!.tokens.length} tokens`);
        scored!.forEach((lp, j) => {
          expectThat(Number.isFinite(lp) && lp <= 1e-4, `TrainablePolicy.logprobs[0][${j}]`, `is ${lp} (expected a finite log-prob <= 0)`);
          const d = Math.abs(lp - g!.logprobs[j]!);
          expectThat(d <= tolerance, `TrainablePolicy.logprobs[0][${j}]`, `is ${lp} but the generation reported ${g!.logprobs[j]} (|Δ| ${d.toExponential(2)} > ${tolerance})`);
        });
      },
    },
    {
      name: 'TrainablePolicy.trainableVariables: at least one',
      run: async () => {
        const p = await make();
        expectThat(p.trainableVariables().length > 0, 'TrainablePolicy.trainableVariables', 'returned none');
      },
    },
  ];
}
