import type { Tokenizer } from '@arpo/core';

/** A core `Tokenizer` that can be written into a checkpoint folder as HF `tokenizer.json` files. */
export interface SerializableTokenizer extends Tokenizer {
  /** The HF `tokenizer.json` object. */
  toTokenizerJson(): unknown;
  /** The HF `tokenizer_config.json` object (special tokens, decoding options). */
  tokenizerConfig(): Record<string, unknown>;
}

/** True when `t` can be saved with a checkpoint. */
export function isSerializableTokenizer(t: Tokenizer): t is SerializableTokenizer {
  const s = t as Partial<SerializableTokenizer>;
  return typeof s.toTokenizerJson === 'function' && typeof s.tokenizerConfig === 'function';
}
