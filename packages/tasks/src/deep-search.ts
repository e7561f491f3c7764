import type { Rng } from '@arpo/core';
import type { CorpusDoc } from '@arpo/tools';
import { capitalText, countryDocuments } from './corpus.js';
import { SYNTHETIC_CONTINENTS, type Country } from './data/countries.js';
import { syntheticCountries } from './data/synthetic.js';

// ---------------------------------------------------------------------------------------------------------
// deep-search: a capital name shared by several countries; the question's condition (continent or language)
// says which one. One search lists the candidates (in a random order); each candidate needs a search of its own
// to check the condition. Countries whose capital contains the country's name or the reverse (Monaco, Panama City)
// are not targets.

/** What singles out the intended country among those whose capital has the asked name. */
export type DeepSearchCondition = 'continent' | 'language';
/** The fact asked for (read from the chosen country's document, or its name). */
export type DeepSearchField = 'calling-code' | 'currency' | 'language' | 'continent' | 'country';

export const DEEP_SEARCH_TYPES = [
  'calling-code-by-capital-continent',
  'currency-by-capital-continent',
  'language-by-capital-continent',
  'country-by-capital-continent',
  'calling-code-by-capital-language',
  'currency-by-capital-language',
  'continent-by-capital-language',
  'country-by-capital-language',
] as const;
export type DeepSearchType = (typeof DEEP_SEARCH_TYPES)[number];

interface DeepSearchTemplate {
  condition: DeepSearchCondition;
  field: DeepSearchField;
  /** `value` is the condition's value (a continent or a language). */
  question(capital: string, value: string): string;
  /** Parses `[capital, value]` back out of the question. */
  pattern: RegExp;
}

const ASK: Record<DeepSearchField, string> = {
  'calling-code': 'What is the international calling code of the country',
  currency: 'What is the currency code of the country',
  language: 'What is the main language of the country',
  continent: 'On which continent is the country',
  country: 'Which is the country',
};

function template(field: DeepSearchField, condition: DeepSearchCondition): DeepSearchTemplate {
  const ask = ASK[field];
  if (condition === 'continent') {
    return { condition, field, question: (capital, value) => `${ask} in ${value} whose capital is ${capital}?`, pattern: new RegExp(`^${ask} in (.+) whose capital is (.+)\\?$`) };
  }
  return {
    condition,
    field,
    question: (capital, value) => `${ask} whose main language is ${value} and whose capital is ${capital}?`,
    pattern: new RegExp(`^${ask} whose main language is (.+) and whose capital is (.+)\\?$`),
  };
}

export const DEEP_SEARCH_TEMPLATES: Readonly<Record<DeepSearchType, DeepSearchTemplate>> = {
  'calling-code-by-capital-continent': template('calling-code', 'continent'),
  'currency-by-capital-continent': template('currency', 'continent'),
  'language-by-capital-continent': template('language', 'continent'),
  'country-by-capital-continent': template('country', 'continent'),
  'calling-code-by-capital-language': template('calling-code', 'language'),
  'currency-by-capital-language': template('currency', 'language'),
  'continent-by-capital-language': template('continent', 'language'),
  'country-by-capital-language': template('country', 'language'),
};

/** Parses a deep-search question into its capital and condition value (undefined when it does not match). */
export function parseDeepSearchQuestion(type: DeepSearchType, question: string): { capital: string; value: string } | undefined {
  const m = DEEP_SEARCH_TEMPLATES[type].pattern.exec(question);
  return m ? { value: m[1]!, capital: m[2]! } : undefined;
}

/** The condition's value of a country (its continent or its main language). */
export function conditionValue(country: Pick<Country, 'continent' | 'language'>, condition: DeepSearchCondition): string {
  return condition === 'continent' ? country.continent : country.language;
}

/** Gold answers of a deep-search question about `target`. */
export function deepSearchAnswers(target: Country, field: DeepSearchField): string[] {
  switch (field) {
    case 'calling-code':
      return [String(target.callingCode)];
    case 'currency':
      return [target.currencyCode, target.currencyName];
    case 'language':
      return [target.language];
    case 'continent':
      return [target.continent];
    case 'country':
      return [target.name, ...target.aliases];
  }
}

/**
 * The invented countries that share a target's capital name (its decoys): invented names, currencies and calling
 * codes, a continent and a main language both different from the target's, so that either condition singles the
 * target out. `count` is 1 or 2 (drawn by the caller).
 */
export class DecoyFactory {
  private readonly byTarget = new Map<string, { target: Country; decoys: Country[] }>();
  private readonly pool: Country[] = [];
  private readonly taken: Set<string>;
  private readonly eligible = new WeakMap<readonly Country[], Country[]>();
  private readonly excludedNames: ReadonlySet<string>;
  private chunks = 0;
  private next = 0;

  /**
   * @param rng the decoys' stream (`<seed>/deep-search/decoys`).
   * @param reserved invented countries already in the corpus (their names are not reused).
   * @param world every country of the corpus (real and invented): the names that overlap (see {@link namesInOthers})
   *   are no target's.
   */
  constructor(
    private readonly rng: Rng,
    reserved: readonly Country[],
    world: readonly Country[] = [],
  ) {
    this.taken = new Set(reserved.flatMap((c) => [c.name.toLowerCase(), c.capital.toLowerCase()]));
    this.excludedNames = namesInOthers(world);
  }

  /** The countries of `pool` that can be targets, in pool order (computed once per pool). */
  targetsIn(pool: readonly Country[]): Country[] {
    let out = this.eligible.get(pool);
    if (!out) {
      out = pool.filter((c) => !ownNameOverlaps(c) && !this.excludedNames.has(c.capital) && !this.excludedNames.has(c.name));
      this.eligible.set(pool, out);
    }
    return out;
  }

  /** The next unused invented country (made in seeded chunks; names never repeat, currency codes may). */
  private fresh(): Country {
    while (this.next >= this.pool.length) {
      const chunk = syntheticCountries(this.rng.split(`pool/${this.chunks}`), 256);
      for (const c of chunk) {
        if (this.taken.has(c.name.toLowerCase())) continue;
        this.taken.add(c.name.toLowerCase());
        this.pool.push({ ...c, key: `decoy-${String(this.pool.length).padStart(5, '0')}` });
      }
      this.chunks += 1;
    }
    return this.pool[this.next++]!;
  }

  /** The decoys of `target`, made on first use (the same ones for every question about it). */
  decoysOf(target: Country, count: number): Country[] {
    const known = this.byTarget.get(target.key);
    if (known) return known.decoys;
    const decoys: Country[] = [];
    const languages = new Set([target.language]);
    const continents = new Set([target.continent]);
    for (let i = 0; i < count; i++) {
      const base = this.fresh();
      const continent = this.rng.shuffle(SYNTHETIC_CONTINENTS.filter((c) => !continents.has(c)))[0]!;
      let language = base.language;
      while (languages.has(language)) language = this.fresh().language;
      continents.add(continent);
      languages.add(language);
      decoys.push({ ...base, capital: target.capital, continent, language });
    }
    this.byTarget.set(target.key, { target, decoys });
    return decoys;
  }

  /**
   * The documents of the shared capitals: for each target, one capital document naming every country with that
   * capital in a shuffled order (it replaces the target's own capital document, so the order of the candidates
   * says nothing about which one is meant), then the decoys' country documents.
   */
  documents(): { capitals: Map<string, CorpusDoc>; countries: CorpusDoc[] } {
    const capitals = new Map<string, CorpusDoc>();
    const countries: CorpusDoc[] = [];
    for (const { target, decoys } of this.byTarget.values()) {
      const order = this.rng.shuffle([target, ...decoys]);
      capitals.set(`capital-${target.key}`, { id: `capital-${target.key}`, title: target.capital, text: order.map((c) => capitalText(c)).join(' ') });
      for (const d of decoys) countries.push(countryDocuments(d)[1]);
    }
    return { capitals, countries };
  }
}

/**
 * Country names and capitals that contain another name or capital as whole words, or occur inside another (`Victoria`
 * and `City of Victoria`, `Spain` and `Port of Spain`): a search for one can rank the other's page first, so their
 * countries are not deep-search targets.
 */
export function namesInOthers(countries: readonly Country[]): Set<string> {
  const names = new Set(countries.flatMap((c) => [c.name, c.capital]));
  const phrases = (name: string): string[] => {
    const w = name.split(' ');
    const out: string[] = [];
    for (let i = 0; i < w.length; i++) for (let j = i + 1; j <= w.length; j++) out.push(w.slice(i, j).join(' '));
    return out;
  };
  const containing = new Map<string, number>();
  for (const name of names) for (const p of new Set(phrases(name))) containing.set(p, (containing.get(p) ?? 0) + 1);
  return new Set([...names].filter((n) => (containing.get(n) ?? 0) > 1 || phrases(n).some((p) => p !== n && names.has(p))));
}

/** A capital that contains its country's name or is contained in it (Monaco, Panama City): the country page and the capital page match the same query. */
function ownNameOverlaps(c: Country): boolean {
  return c.capital.includes(c.name) || c.name.includes(c.capital);
}

