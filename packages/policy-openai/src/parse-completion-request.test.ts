import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from './parse-completion-request.js';
import { RequestError } from './request-error.js';
import { AsciiTokenizer } from './testing/fake-policy.js';

const limits = { modelName: 'm', tokenizer: new AsciiTokenizer(), maxLogprobs: 20, maxN: 8 };

function rejected(body: unknown): RequestError {
  try {
    parseCompletionRequest(body, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return error as RequestError;
  }
  throw new Error('expected a throw');
}

describe('parseCompletionRequest', () => {
  it('fills the OpenAI defaults', () => {
    expect(parseCompletionRequest({ model: 'm', prompt: [1, 2] }, limits)).toEqual({
      prompts: [[1, 2]],
      n: 1,
      maxTokens: 16,
      sampling: { temperature: 1, topP: 1, topK: 0 },
      stop: [],
      logprobs: null,
      tokenIdStrings: false,
      skipSpecialTokens: true,
      returnEntropy: false,
      includeStopString: false,
    });
  });

  it('reads every prompt form, sampling, stop, logprobs and the seeds', () => {
    const job = parseCompletionRequest(
      { prompt: ['ab', 'c'], max_tokens: 5, temperature: 0.7, top_p: 0.9, top_k: -1, stop: '</search>', logprobs: 10, n: 2, seed: 7, return_tokens_as_token_ids: true },
      limits,
    );
    expect(job.prompts).toEqual([[65, 66], [67]]);
    expect(job).toMatchObject({ n: 2, maxTokens: 5, sampling: { temperature: 0.7, topP: 0.9, topK: 0 }, stop: ['</search>'], logprobs: 10, tokenIdStrings: true });
    expect(job.seed).toEqual({ batch: 7, row: 0, own: 7, peers: 1 });
    expect(parseCompletionRequest({ prompt: [[1], [2, 3]], logprobs: true, top_logprobs: 3 }, limits)).toMatchObject({ prompts: [[1], [2, 3]], logprobs: 3 });
    expect(parseCompletionRequest({ prompt: [1], seed: 9, arpo_batch_seed: 4, arpo_batch_row: 3, arpo_batch_peers: 5 }, limits).seed).toEqual({ batch: 4, row: 3, own: 9, peers: 5 });
  });

  it('names the bad parameter', () => {
    expect(rejected({ prompt: [1], model: 'other' })).toMatchObject({ status: 404, param: 'model' });
    expect(rejected({ prompt: [1], logprobs: 21 })).toMatchObject({ status: 400, param: 'logprobs', message: 'logprobs = 21 (expected an integer in [0, 20])' });
    expect(rejected({ prompt: [1], temperature: -1 })).toMatchObject({ param: 'temperature' });
    expect(rejected({ prompt: [1, 97] })).toMatchObject({ param: 'prompt', message: 'prompt 0 contains token id 97 (expected an integer in [0, 97))' });
    expect(rejected({ prompt: [] })).toMatchObject({ param: 'prompt' });
    expect(rejected({ prompt: [1], stream: true })).toMatchObject({ param: 'stream' });
    expect(rejected({ prompt: [1], n: 9 })).toMatchObject({ param: 'n' });
    expect(rejected({ prompt: [1], stop: [1] })).toMatchObject({ param: 'stop' });
    expect(rejected('x')).toMatchObject({ status: 400, param: null });
    expect(rejected({ prompt: [1], presence_penalty: 0.5 })).toMatchObject({ param: 'presence_penalty' });
    expect(parseCompletionRequest({ prompt: [1], repetition_penalty: 1, logit_bias: {} }, limits).prompts).toEqual([[1]]);
  });
});
