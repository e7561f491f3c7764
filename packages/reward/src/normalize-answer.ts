/** Options of {@link normalizeAnswer} (and of the metrics built on it). */
export interface NormalizeOptions {
  /**
   * Remove ASCII punctuation (Python's `string.punctuation`). True in training (the reward); the reference
   * evaluation normalizer keeps punctuation (spec §7.4), so pass false to mirror it.
   */
  removePunctuation?: boolean;
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** `\b(a|an|the)\b` with Python's Unicode word characters (JS `\b` is ASCII-only, so "thé" would lose "the"). */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** Python `str.split()` whitespace: JS `\s` plus the separators U+001C–U+001F and NEL. */
const WHITESPACE = /[\s\x1c-\x1f\x85]+/u;

/**
 * SQuAD-style answer normalisation used by the token-F1 accuracy of the hierarchical reward (Acc in paper Eq. 8):
 * lowercase, remove punctuation, replace the articles a/an/the by a space, collapse whitespace.
 * @example normalizeAnswer('The  Eiffel Tower!') // 'eiffel tower'
 */
export function normalizeAnswer(s: string, options: NormalizeOptions = {}): string {
  let text = s.toLowerCase();
  if (options.removePunctuation ?? true) text = Array.from(text, (ch) => (PUNCTUATION.has(ch) ? '' : ch)).join('');
  text = text.replace(ARTICLES, ' ');
  return text.split(WHITESPACE).filter((t) => t !== '').join(' ');
}

/** The whitespace tokens of a normalised answer (none for the empty string). */
export function answerTokens(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}
