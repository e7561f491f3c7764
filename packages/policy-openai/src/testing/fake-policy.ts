import { createRng, type GenerateRequest, type Generation, type Policy, type TokenLogprob, type Tokenizer } from '@arpo/core';

/** A tokenizer of single characters: id = char code − 32 for ' '..'~' (95 ids), EOS = 95, pad = 96. */
export class AsciiTokenizer implements Tokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize = 97;
  readonly eosTokenId = 95;
  readonly padTokenId = 96;
  encode(text: string): number[] {
    return [...text].map((c) => Math.min(Math.max(c.charCodeAt(0) - 32, 0), 94));
  }
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return ids.map((id) => (id >= 95 ? (options.skipSpecialTokens ? '' : id === 95 ? '<eos>' : '<pad>') : String.fromCharCode(id + 32))).join('');
  }
}

/**
 * A deterministic fake policy for scheduler and server tests. Row i of a call seeded s samples from the
 * stream `createRng(s).split('row:i')` (as `TfjsPolicy` does), so a row's output depends only on (seed, i,
 * prefix). Each step draws j with p = [.4, .3, .15, .1, .05] and emits 'a'..'d' (ids 65..68) or EOS (j = 4),
 * with log-prob ln p_j and the top-k of that fixed distribution. Records calls, forks and releases.
 */
export class FakePolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly modelId = 'fake/letters';
  readonly tokenizer = new AsciiTokenizer();
  /** Every call's request. */
  readonly calls: GenerateRequest[] = [];
  /** Forks and releases seen. */
  readonly forks: [string, string][] = [];
  readonly releases: string[] = [];
  /** Throw when a prefix contains this token id. */
  failOnToken: number | undefined;
  /** Delay of each call, ms. */
  delayMs = 0;

  async generate(request: GenerateRequest): Promise<Generation[]> {
    this.calls.push(request);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const rng = createRng(request.seed ?? 0);
    const probs = [0.4, 0.3, 0.15, 0.1, 0.05];
    return request.prefixes.map((prefix, i) => {
      const rowRng = rng.split(`row:${i}`);
      if (this.failOnToken !== undefined && prefix.includes(this.failOnToken)) throw new Error(`fake policy: token ${this.failOnToken} in prefix ${i}`);
      const max = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i]!;
      const tokens: number[] = [];
      const logprobs: number[] = [];
      const top: TokenLogprob[][] = [];
      let finishReason: Generation['finishReason'] = 'length';
      let stopString: string | undefined;
      while (tokens.length < max) {
        const u = rowRng.next();
        let j = 0;
        for (let acc = probs[0]!; u > acc && j < probs.length - 1; acc += probs[++j]!);
        const token = j === 4 ? this.tokenizer.eosTokenId : 65 + j;
        tokens.push(token);
        logprobs.push(Math.log(probs[j]!));
        top.push(probs.slice(0, request.topLogprobs ?? 0).map((p, c) => ({ token: c === 4 ? this.tokenizer.eosTokenId : 65 + c, logprob: Math.log(p) })));
        if (token === this.tokenizer.eosTokenId) {
          finishReason = 'eos';
          break;
        }
        const text = this.tokenizer.decode(tokens);
        stopString = request.stop?.find((s) => text.endsWith(s));
        if (stopString !== undefined) {
          finishReason = 'stop';
          break;
        }
      }
      const g: Generation = { tokens, logprobs, finishReason };
      if ((request.topLogprobs ?? 0) > 0) g.topLogprobs = top;
      if (request.returnEntropy) g.entropies = tokens.map(() => 1.5);
      if (stopString !== undefined) g.stopString = stopString;
      return g;
    });
  }

  fork(parentId: string, childId: string): void {
    this.forks.push([parentId, childId]);
  }

  release(sequenceId: string): void {
    this.releases.push(sequenceId);
  }
}
