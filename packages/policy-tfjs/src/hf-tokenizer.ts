import { ArpoError } from '@arpo/core';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SerializableTokenizer } from './serializable-tokenizer.js';

/** Explicit special-token ids (override what the tokenizer files say). */
export interface SpecialTokenIds {
  eosTokenId?: number;
  padTokenId?: number;
  bosTokenId?: number;
}

/** Common EOS token strings, tried in order when nothing names the EOS token. */
const EOS_CANDIDATES = ['<|endoftext|>', '</s>', '<|im_end|>', '<eos>', '<|end_of_text|>'];

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * A Hugging Face `tokenizer.json` tokenizer (BPE / byte-level BPE / WordPiece / Unigram, with the file's
 * normalizer, pre-tokenizer and decoder) through `@huggingface/tokenizers`, fully offline. Encodes without
 * special tokens, as the core contract asks; ids match Python `tokenizers`.
 */
export class HfTokenizer implements SerializableTokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  readonly bosTokenId?: number;
  private readonly impl: HfJsTokenizer;
  private readonly specialIds: Set<number>;

  constructor(
    private readonly json: Record<string, unknown>,
    private readonly config: Record<string, unknown> = {},
    ids: SpecialTokenIds = {},
  ) {
    // The JS port cleans up tokenization spaces unless told otherwise; Python's fast tokenizers default
    // to the file's setting, which for current models is false. Default to false to keep decode exact.
    const implConfig = { clean_up_tokenization_spaces: false, ...config };
    this.impl = new HfJsTokenizer(json, implConfig);
    const vocab = this.impl.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    const idOf = (value: unknown): number | undefined => {
      const content = tokenContent(value);
      return content === undefined ? undefined : this.impl.token_to_id(content);
    };
    const eos = ids.eosTokenId ?? idOf(config['eos_token']) ?? EOS_CANDIDATES.map((c) => this.impl.token_to_id(c)).find((x) => x !== undefined);
    if (eos === undefined) {
      throw new ArpoError('HfTokenizer: cannot tell the EOS token (tokenizer_config.json has no eos_token; pass eosTokenId)');
    }
    this.eosTokenId = eos;
    this.padTokenId = ids.padTokenId ?? idOf(config['pad_token']) ?? eos;
    const bos = ids.bosTokenId ?? idOf(config['bos_token']);
    if (bos !== undefined) this.bosTokenId = bos;
    this.specialIds = new Set([this.eosTokenId, this.padTokenId, ...(bos !== undefined ? [bos] : [])]);
    for (const [id, t] of this.impl.get_added_tokens_decoder()) if (t.special) this.specialIds.add(id);
  }

  /**
   * Reads `tokenizer.json` (and `tokenizer_config.json` beside it when present) from disk.
   * No network access is ever made.
   */
  static fromFile(path: string, ids: SpecialTokenIds = {}): HfTokenizer {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const configPath = join(dirname(path), 'tokenizer_config.json');
    const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>) : {};
    return new HfTokenizer(json, config, ids);
  }

  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.impl.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    // Ids past the tokenizer's vocabulary (a model's padded vocab_size) decode to nothing.
    const list = ids.filter((id) => id < this.vocabSize && !(options.skipSpecialTokens && this.specialIds.has(id)));
    if (list.length === 0) return '';
    return this.impl.decode(list, { skip_special_tokens: false });
  }

  /** The id of a token string, if it is in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.impl.token_to_id(token);
  }

  toTokenizerJson(): unknown {
    return this.json;
  }

  tokenizerConfig(): Record<string, unknown> {
    return this.config;
  }
}
