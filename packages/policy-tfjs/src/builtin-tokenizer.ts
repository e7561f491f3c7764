import { ArpoError } from '@arpo/core';
import type { SerializableTokenizer } from './serializable-tokenizer.js';

/** The ARPO tags (plus `\boxed{` and `}`), each one token of the built-in tokenizer. */
export const ARPO_TAG_TOKENS = [
  '<think>',
  '</think>',
  '<search>',
  '</search>',
  '<python>',
  '</python>',
  '<result>',
  '</result>',
  '<answer>',
  '</answer>',
  '\\boxed{',
  '}',
] as const;

/** Padding, beginning- and end-of-sequence tokens of the built-in tokenizer (ids 0, 1, 2). */
export const BUILTIN_SPECIAL_TOKENS = { pad: '<pad>', bos: '<s>', eos: '</s>' } as const;

/**
 * Pre-tokenizer of the built-in tokenizer (GPT-2 style): a letter run with an optional leading space,
 * single digits (numbers are split digit by digit), whitespace, single other characters.
 */
export const BUILTIN_PRETOKENIZER_PATTERN = ' ?\\p{L}+| ?\\p{N}|\\s+(?!\\S)|\\s+| ?[^\\s\\p{L}\\p{N}]';

/** Options of {@link BuiltinTokenizer.train}. */
export interface BuiltinTokenizerTrainOptions {
  /** Total vocabulary size (special + tag + 256 byte + base character + word tokens). */
  vocabSize: number;
  /** Words seen fewer times are left to characters / bytes. Default 2. */
  minFrequency?: number;
}

const byteToken = (b: number): string => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Printable ASCII (minus `}`, a tag token), newline and tab: always single tokens. */
function baseCharacters(): string[] {
  const chars = ['\n', '\t'];
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x7d) chars.push(String.fromCharCode(c));
  return chars;
}

/**
 * A small word-level tokenizer for tiny models trained from scratch: special tokens (`<pad>`, `<s>`,
 * `</s>`), one token per ARPO tag, 256 byte tokens (`<0x00>`…`<0xFF>`) as fallback, printable ASCII
 * characters, then the most frequent pre-tokens of a corpus (words with their leading space, digits one
 * by one). Unknown words become characters, unknown characters UTF-8 bytes, so every string round-trips.
 * It saves as a standard `tokenizer.json` (BPE model with `ignore_merges`, `byte_fallback`, no merges)
 * that `@huggingface/tokenizers` loads and encodes to the same ids.
 */
export class BuiltinTokenizer implements SerializableTokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize: number;
  readonly padTokenId = 0;
  readonly bosTokenId = 1;
  readonly eosTokenId = 2;
  /** Token strings by id. */
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly added: readonly string[];
  private readonly pattern = new RegExp(BUILTIN_PRETOKENIZER_PATTERN, 'gu');
  private readonly encoder = new TextEncoder();

  private constructor(words: readonly string[]) {
    this.added = [BUILTIN_SPECIAL_TOKENS.pad, BUILTIN_SPECIAL_TOKENS.bos, BUILTIN_SPECIAL_TOKENS.eos, ...ARPO_TAG_TOKENS];
    const vocab = [...this.added];
    for (let b = 0; b < 256; b++) vocab.push(byteToken(b));
    const seen = new Set(vocab);
    for (const t of [...baseCharacters(), ...words]) {
      if (!seen.has(t)) {
        seen.add(t);
        vocab.push(t);
      }
    }
    this.vocab = vocab;
    this.vocabSize = vocab.length;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
  }

  /** A tokenizer with the fixed tokens plus these word tokens (in order). */
  static fromWords(words: readonly string[]): BuiltinTokenizer {
    return new BuiltinTokenizer(words);
  }

  /**
   * Picks the most frequent pre-tokens of `texts` (ties broken alphabetically, so training is
   * deterministic) until the vocabulary has `vocabSize` tokens.
   */
  static train(texts: Iterable<string>, options: BuiltinTokenizerTrainOptions): BuiltinTokenizer {
    const base = new BuiltinTokenizer([]);
    if (!Number.isInteger(options.vocabSize) || options.vocabSize < base.vocabSize) {
      throw new ArpoError(`BuiltinTokenizer.train: vocabSize = ${options.vocabSize} (expected an integer >= ${base.vocabSize}, the fixed tokens)`);
    }
    const minFrequency = options.minFrequency ?? 2;
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const section of base.splitAdded(text)) {
        if (base.ids.has(section) && base.added.includes(section)) continue;
        for (const piece of section.match(base.pattern) ?? []) {
          if (!base.ids.has(piece)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
        }
      }
    }
    const words = [...counts.entries()]
      .filter(([, n]) => n >= minFrequency)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, options.vocabSize - base.vocabSize)
      .map(([w]) => w);
    return new BuiltinTokenizer(words);
  }

  /** True when a `tokenizer.json` object has the built-in tokenizer's structure. */
  static isBuiltinJson(json: unknown): boolean {
    const j = json as { model?: { type?: string; ignore_merges?: boolean; merges?: unknown[] }; pre_tokenizer?: { pattern?: { Regex?: string } } };
    return j?.model?.type === 'BPE' && j.model.ignore_merges === true && j.model.merges?.length === 0 && j.pre_tokenizer?.pattern?.Regex === BUILTIN_PRETOKENIZER_PATTERN;
  }

  /** Restores a tokenizer saved by {@link toTokenizerJson}. */
  static fromTokenizerJson(json: unknown): BuiltinTokenizer {
    if (!BuiltinTokenizer.isBuiltinJson(json)) throw new ArpoError('BuiltinTokenizer.fromTokenizerJson: not a tokenizer.json written by BuiltinTokenizer');
    const vocab = (json as { model: { vocab: Record<string, number> } }).model.vocab;
    const byId = Object.entries(vocab).sort((a, b) => a[1] - b[1]);
    const fixed = new BuiltinTokenizer([]);
    for (let i = 0; i < fixed.vocabSize; i++) {
      if (byId[i]?.[0] !== fixed.vocab[i] || byId[i]?.[1] !== i) {
        throw new ArpoError(`BuiltinTokenizer.fromTokenizerJson: id ${i} is ${JSON.stringify(byId[i]?.[0])} (expected ${JSON.stringify(fixed.vocab[i])})`);
      }
    }
    return new BuiltinTokenizer(byId.slice(fixed.vocabSize).map(([t]) => t));
  }

  /** Splits out added (special and tag) tokens: leftmost-longest match, as HF tokenizers do. */
  private splitAdded(text: string): string[] {
    const out: string[] = [];
    let start = 0;
    let i = 0;
    while (i < text.length) {
      let match: string | undefined;
      for (const t of this.added) if (text.startsWith(t, i) && (!match || t.length > match.length)) match = t;
      if (match) {
        if (i > start) out.push(text.slice(start, i));
        out.push(match);
        i += match.length;
        start = i;
      } else i++;
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    for (const section of this.splitAdded(text)) {
      if (this.added.includes(section)) {
        ids.push(this.ids.get(section)!);
        continue;
      }
      for (const piece of splitKeep(section, this.pattern)) {
        const whole = this.ids.get(piece);
        if (whole !== undefined) {
          ids.push(whole);
          continue;
        }
        for (const ch of piece) {
          const id = this.ids.get(ch);
          if (id !== undefined) ids.push(id);
          else for (const b of this.encoder.encode(ch)) ids.push(this.ids.get(byteToken(b))!);
        }
      }
    }
    return ids;
  }

  /** Ids without a token (e.g. from a model whose vocab_size is padded past the tokenizer's) decode to ''. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    let text = '';
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length > 0) {
        text += new TextDecoder().decode(Uint8Array.from(bytes));
        bytes = [];
      }
    };
    for (const id of ids) {
      if (options.skipSpecialTokens && id <= 2) continue;
      const tok = this.vocab[id];
      if (tok === undefined) continue; // ids past the vocabulary (a model's padded vocab_size) decode to nothing, as in HF
      if (id >= 15 && id < 15 + 256) bytes.push(id - 15);
      else {
        flush();
        text += tok;
      }
    }
    flush();
    return text;
  }

  toTokenizerJson(): unknown {
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: this.added.map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: id <= 2, // tags stay in decoded text (the reward reads \boxed{…} with skipSpecialTokens)
      })),
      normalizer: null,
      pre_tokenizer: { type: 'Split', pattern: { Regex: BUILTIN_PRETOKENIZER_PATTERN }, behavior: 'Isolated', invert: false },
      post_processor: null,
      decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: true,
        ignore_merges: true,
        vocab: Object.fromEntries(this.vocab.map((t, i) => [t, i])),
        merges: [],
      },
    };
  }

  tokenizerConfig(): Record<string, unknown> {
    return {
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: BUILTIN_SPECIAL_TOKENS.bos,
      eos_token: BUILTIN_SPECIAL_TOKENS.eos,
      pad_token: BUILTIN_SPECIAL_TOKENS.pad,
      clean_up_tokenization_spaces: false,
      add_bos_token: false,
      add_eos_token: false,
    };
  }
}

/** Regex split keeping the text between matches as pieces too (HF `Split` with behavior `Isolated`). */
function splitKeep(text: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const m of text.matchAll(pattern)) {
    if (prev < m.index) out.push(text.slice(prev, m.index));
    if (m[0].length > 0) out.push(m[0]);
    prev = m.index + m[0].length;
  }
  if (prev < text.length) out.push(text.slice(prev));
  return out;
}
