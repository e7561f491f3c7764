import { describe, expect, it } from 'vitest';
import { exactMatch } from './exact-match.js';
import { normalizeAnswer } from './normalize-answer.js';
import { tokenF1 } from './token-f1.js';

describe('normalizeAnswer', () => {
  it('lowercases, removes punctuation and articles, collapses whitespace', () => {
    expect(normalizeAnswer('The  Eiffel Tower!')).toBe('eiffel tower');
    expect(normalizeAnswer('  A cat, an owl & THE dog. ')).toBe('cat owl dog');
    expect(normalizeAnswer('U.S.A.')).toBe('usa');
    expect(normalizeAnswer("Theatre isn't an anthem")).toBe('theatre isnt anthem'); // articles only as whole words
    expect(normalizeAnswer('')).toBe('');
  });
  it('treats non-ASCII letters as word characters (Python \\b semantics)', () => {
    expect(normalizeAnswer('Thé vert')).toBe('thé vert'); // "the" inside "thé" is not an article
    expect(normalizeAnswer('The Ångström')).toBe('ångström');
    expect(normalizeAnswer('北京\u3000 市')).toBe('北京 市'); // ideographic space collapses
    expect(normalizeAnswer('«Zürich»')).toBe('«zürich»'); // only ASCII punctuation is removed
  });
  it('can keep punctuation (the evaluation normaliser)', () => {
    expect(normalizeAnswer('The U.S. Army!', { removePunctuation: false })).toBe('u.s. army!');
    // with punctuation kept, the "a" of "u.s.a." is a whole word and is removed (Python \b behaves the same)
    expect(normalizeAnswer('U.S.A.', { removePunctuation: false })).toBe('u.s. .');
  });
});

describe('tokenF1', () => {
  it('is 1 for a match after normalisation', () => {
    expect(tokenF1('Paris', 'paris')).toBe(1);
    expect(tokenF1('the Beatles.', 'Beatles')).toBe(1);
  });

  it('computes 2PR/(P+R) over token bags', () => {
    // pred [new, york], gold [new, jersey, city]: c = 1, P = 1/2, R = 1/3 → F1 = 2·(1/6)/(5/6) = 0.4
    expect(tokenF1('New York', 'New Jersey City')).toBe(0.4);
    // pred [eiffel, tower], gold [eiffel, tower, in, paris]: c = 2, P = 1, R = 1/2 → F1 = 2·(1/2)/(3/2) = 2/3
    expect(tokenF1('the Eiffel Tower', 'Eiffel Tower in Paris')).toBe(2 / 3);
    // bag, not set: pred [go, go, go], gold [go]: c = 1, P = 1/3, R = 1 → F1 = 2·(1/3)/(4/3) = 0.5
    expect(tokenF1('go go go', 'go')).toBe(0.5);
    // pred [go, go], gold [go, go, stop]: c = 2, P = 1, R = 2/3 → F1 = 2·(2/3)/(5/3) = 0.8
    expect(tokenF1('go go', 'go go stop')).toBe(0.8);
  });

  it('is 0 with no common token or an empty side', () => {
    expect(tokenF1('London', 'Paris')).toBe(0);
    expect(tokenF1('', 'Paris')).toBe(0);
    expect(tokenF1('The', 'a')).toBe(0); // both normalise to ''
    expect(tokenF1('Paris', [])).toBe(0);
  });

  it('yes/no/noanswer only match themselves', () => {
    expect(tokenF1('Yes.', 'yes')).toBe(1);
    expect(tokenF1('yes', 'no')).toBe(0);
    // Bag overlap would give c = 1, P = 1, R = 1/3 → 0.5, but the prediction is "yes" and differs from the gold → 0
    expect(tokenF1('yes', 'yes it is')).toBe(0);
    // The gold is "no" and the prediction differs → 0 (overlap alone would give 2·1/(2+1) = 2/3)
    expect(tokenF1('no way', 'no')).toBe(0);
    expect(tokenF1('noanswer', 'noanswer')).toBe(1);
    // "no answer" is two tokens, not the special "noanswer": c = 2 of [no, answer] vs [no, answer, here] → 2·2/(2+3) = 0.8
    expect(tokenF1('no answer', 'no answer here')).toBe(0.8);
  });

  it('takes the max over a list of golds', () => {
    // [barack, obama] vs "Obama": c = 1 → 2·1/(2+1) = 2/3; vs "Barack Hussein Obama": c = 2 → 2·2/(2+3) = 0.8; vs "Michelle": 0
    expect(tokenF1('Barack Obama', ['Obama', 'Barack Hussein Obama', 'Michelle'])).toBe(0.8);
    // a yes/no mismatch on one gold does not block another
    expect(tokenF1('yes', ['no', 'yes'])).toBe(1);
  });

  it('handles non-ASCII text', () => {
    // [zürich, schweiz] vs [zürich]: c = 1 → 2·1/(2+1) = 2/3
    expect(tokenF1('Zürich, Schweiz', 'zürich')).toBe(2 / 3);
    expect(tokenF1('北京', '北京')).toBe(1);
    expect(tokenF1('北京市', '北京')).toBe(0); // one whitespace token each, different
    // [москва, россия] vs [москва]: 2/3
    expect(tokenF1('Москва, Россия', 'москва')).toBe(2 / 3);
  });

  it('evaluation form keeps punctuation', () => {
    // "u.s.a." vs "usa" are different tokens when punctuation is kept
    expect(tokenF1('U.S.A.', 'USA', { removePunctuation: false })).toBe(0);
    expect(tokenF1('U.S.A.', 'USA')).toBe(1);
  });
});

describe('exactMatch', () => {
  it('is 1 when the normalised prediction equals any gold', () => {
    expect(exactMatch('The Beatles!', 'beatles')).toBe(1);
    expect(exactMatch('The Beatles!', ['Stones', 'the beatles'])).toBe(1);
    expect(exactMatch('Beatles band', 'beatles')).toBe(0);
    expect(exactMatch('x', [])).toBe(0);
    expect(exactMatch('U.S.A.', 'USA', { removePunctuation: false })).toBe(0);
  });
});
