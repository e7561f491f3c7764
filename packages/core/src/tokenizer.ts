/**
 * Text ↔ token ids. Implemented by `@arpo/policy-tfjs` (HF `tokenizer.json`) and by users' own tokenizers.
 * The rollout engine decodes to find tool calls and encodes tool results; the ids must be the policy's.
 */
export interface Tokenizer {
  /** Contract version; bumped on breaking changes. */
  readonly specificationVersion: 'v1';
  /** Number of ids (V); every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** End-of-sequence id: generation stops here; the call-limit EOS uses it. */
  readonly eosTokenId: number;
  /** Padding id used to right-pad batches (masked out of every loss). */
  readonly padTokenId: number;
  /** Beginning-of-sequence id, when the model uses one. */
  readonly bosTokenId?: number;
  /** Encodes text without adding special tokens. */
  encode(text: string): number[];
  /** Decodes ids to text; `skipSpecialTokens` drops EOS/BOS/pad (the reward decodes this way). */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
}
