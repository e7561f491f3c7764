import type { Tokenizer } from '@arpo/core';
export declare class ToyToolTokenizer implements Tokenizer {
  readonly specificationVersion: 'v1';
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  encode(text: string): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
}
