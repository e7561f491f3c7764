import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltinTokenizer } from './builtin-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';

/** A hand-made GPT-2-style byte-level BPE: ids worked out by hand below. */
const byteLevelJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 11, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    vocab: { h: 0, e: 1, l: 2, o: 3, 'Ġ': 4, w: 5, r: 6, d: 7, he: 8, ll: 9, hell: 10 },
    merges: ['h e', 'l l', 'he ll'],
  },
};

describe('HfTokenizer (@huggingface/tokenizers, offline)', () => {
  it('encodes a byte-level BPE file with its merges (ids computed by hand) and finds the EOS token', () => {
    const tok = new HfTokenizer(byteLevelJson);
    // "hello" → h e l l o → (h e)(l l) → (he ll) o = [hell, o]; " world" → Ġ w o r l d (no merges)
    expect(tok.encode('hello world')).toEqual([10, 3, 4, 5, 3, 6, 2, 7]);
    expect(tok.decode([10, 3, 4, 5, 3, 6, 2, 7])).toBe('hello world');
    expect(tok.eosTokenId).toBe(11);
    expect(tok.padTokenId).toBe(11);
    expect(tok.vocabSize).toBe(12);
    expect(tok.decode([10, 3, 11], { skipSpecialTokens: true })).toBe('hello');
    expect(tok.encode('')).toEqual([]);
    expect(tok.decode([])).toBe('');
  });

  it('reads tokenizer.json + tokenizer_config.json from a folder, same ids as the built-in tokenizer', () => {
    const builtin = BuiltinTokenizer.fromWords([' the', ' capital']);
    const dir = mkdtempSync(join(tmpdir(), 'policy-tfjs-tok-'));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(builtin.toTokenizerJson()));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(builtin.tokenizerConfig()));
    const tok = HfTokenizer.fromFile(join(dir, 'tokenizer.json'));
    expect([tok.eosTokenId, tok.padTokenId, tok.bosTokenId]).toEqual([2, 0, 1]);
    const text = 'What is the capital? <search>the capital</search> 42 \\boxed{x}';
    expect(tok.encode(text)).toEqual(builtin.encode(text));
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('fails clearly when no EOS token can be found', () => {
    const json = { ...byteLevelJson, added_tokens: [] };
    expect(() => new HfTokenizer(json)).toThrow(/EOS token/);
    expect(new HfTokenizer(json, {}, { eosTokenId: 3 }).eosTokenId).toBe(3);
  });
});
