import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { ARPO_TAG_TOKENS, BuiltinTokenizer } from './builtin-tokenizer.js';

const corpus = [
  'What is the capital of France? <think>I should search.</think><search>capital of France</search>',
  '<result>Paris is the capital of France.</result><answer>\\boxed{Paris}</answer>',
  'The capital of Japan is Tokyo. The capital of Italy is Rome.',
  '<python>print(12 * 34)</python><result>408</result> so the answer is \\boxed{408}',
];

const samples = [
  ...corpus,
  'Héllo wörld — naïve café 日本語 🙂 emoji',
  'spaces:   three, tabs:\tone, newlines:\n\ntwo',
  'numbers 2024 and 3.14159 and -7',
  '  leading and trailing  ',
  '}}{{ \\boxed{x} <think></think>',
  '',
];

describe('BuiltinTokenizer', () => {
  const tok = BuiltinTokenizer.train(corpus, { vocabSize: 420, minFrequency: 2 });

  it('has fixed ids for special tokens, one token per ARPO tag, and byte tokens', () => {
    expect([tok.padTokenId, tok.bosTokenId, tok.eosTokenId]).toEqual([0, 1, 2]);
    expect(tok.vocab.slice(0, 3)).toEqual(['<pad>', '<s>', '</s>']);
    ARPO_TAG_TOKENS.forEach((t, i) => expect(tok.encode(t)).toEqual([3 + i]));
    expect(tok.vocab[15]).toBe('<0x00>');
    expect(tok.vocab[15 + 255]).toBe('<0xFF>');
    expect(tok.encode('<search>Paris</search>')).toEqual([5, ...tok.encode('Paris'), 6]);
  });

  it('learns frequent words with their leading space, splits digits, falls back to characters and bytes', () => {
    expect(tok.vocab).toContain(' capital');
    expect(tok.encode(' capital')).toHaveLength(1);
    expect(tok.encode('2024').map((id) => tok.vocab[id])).toEqual(['2', '0', '2', '4']);
    expect(tok.encode(' zebra').map((id) => tok.vocab[id])).toEqual([' ', 'z', 'e', 'b', 'r', 'a']);
    expect(tok.encode('é').map((id) => tok.vocab[id])).toEqual(['<0xC3>', '<0xA9>']);
    expect(tok.vocabSize).toBeLessThanOrEqual(420);
  });

  it('round-trips every string (decode(encode(s)) === s)', () => {
    for (const s of samples) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it('skipSpecialTokens drops <pad>/<s>/</s> but keeps the tags (the reward reads \\boxed{…})', () => {
    const ids = [tok.bosTokenId, ...tok.encode('<answer>\\boxed{42}</answer>'), tok.eosTokenId, tok.padTokenId];
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('<answer>\\boxed{42}</answer>');
    expect(tok.decode(ids)).toBe('<s><answer>\\boxed{42}</answer></s><pad>');
  });

  it('saves as a tokenizer.json that @huggingface/tokenizers loads to the same ids and text', () => {
    const hf = new HfJsTokenizer(tok.toTokenizerJson() as object, tok.tokenizerConfig());
    for (const s of samples) {
      if (s === '') continue;
      const ids = tok.encode(s);
      expect(hf.encode(s, { add_special_tokens: false }).ids).toEqual(ids);
      expect(hf.decode(ids, { skip_special_tokens: false })).toBe(s);
    }
    expect(hf.decode([1, ...tok.encode('\\boxed{7}'), 2], { skip_special_tokens: true })).toBe('\\boxed{7}');
  });

  it('training is deterministic and restores from its tokenizer.json', () => {
    const again = BuiltinTokenizer.train(corpus, { vocabSize: 420, minFrequency: 2 });
    expect(again.vocab).toEqual(tok.vocab);
    const restored = BuiltinTokenizer.fromTokenizerJson(JSON.parse(JSON.stringify(tok.toTokenizerJson())));
    expect(restored.vocab).toEqual(tok.vocab);
    expect(BuiltinTokenizer.isBuiltinJson(tok.toTokenizerJson())).toBe(true);
    expect(() => BuiltinTokenizer.train(corpus, { vocabSize: 100 })).toThrow(/vocabSize = 100/);
  });
});
