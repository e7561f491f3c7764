import { describe, expect, it } from 'vitest';
import { BuiltinTokenizer } from './builtin-tokenizer.js';
import { StopDetector } from './stop-detector.js';

const tok = BuiltinTokenizer.fromWords([' the', ' answer']);

function firstStop(text: string, stops: string[]): { at: number; stop: string } | undefined {
  const ids = tok.encode(text);
  const det = new StopDetector(tok, stops);
  for (let i = 1; i <= ids.length; i++) {
    const s = det.check(ids.slice(0, i));
    if (s !== undefined) return { at: i, stop: s };
  }
  return undefined;
}

describe('StopDetector', () => {
  it('fires at the token that completes a stop string (single token or spanning several)', () => {
    // '</search>' is one token; 'the answer' spans ' the', ' answer' (the stop begins inside ' the')
    const search = tok.encode('go <search>x</search> more');
    expect(firstStop('go <search>x</search> more', ['</search>'])).toEqual({ at: search.indexOf(6) + 1, stop: '</search>' });
    const ids = tok.encode('so the answer is');
    expect(firstStop('so the answer is', ['he answ'])).toEqual({ at: ids.indexOf(tok.encode(' answer')[0]!) + 1, stop: 'he answ' });
  });

  it('handles multi-byte characters split over byte-fallback tokens', () => {
    const text = 'abc 日本 done';
    const ids = tok.encode(text);
    const hit = firstStop(text, ['日本']);
    // 本 is 3 byte tokens: the match completes at its last byte
    expect(hit?.stop).toBe('日本');
    expect(tok.decode(ids.slice(0, hit!.at))).toBe('abc 日本');
  });

  it('picks the stop that ends first, and ignores empty stop strings', () => {
    expect(firstStop('a</answer>', ['</answer>', 'a<'])?.stop).toBe('a<');
    expect(firstStop('abc', [''])).toBeUndefined();
  });
});
