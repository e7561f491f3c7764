import type { Tokenizer } from '@arpo/core';

/** Test tokenizer: one token per UTF-16 code unit (id = code + 2); 0 = pad, 1 = EOS. Exact and invertible. */
export class CharTokenizer implements Tokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize = 65536 + 2;
  readonly eosTokenId = 1;
  readonly padTokenId = 0;

  encode(text: string): number[] {
    return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i) + 2);
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    let out = '';
    for (const id of ids) {
      if (id < 2) {
        if (!options.skipSpecialTokens) out += id === 1 ? '</s>' : '<pad>';
      } else out += String.fromCharCode(id - 2);
    }
    return out;
  }
}
