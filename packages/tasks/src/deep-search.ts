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
  private readonly byTarget = new Map<string, Country[]>();
  /** The target of each decoy set, by its first decoy's key. */
  private readonly targets = new Map<string, Country>();
  private readonly pool: Country[] = [];
  private readonly taken: Set<string>;
  private chunks = 0;
  private next = 0;

  /**
   * @param rng the decoys' stream (`<seed>/deep-search/decoys`).
   * @param reserved invented countries already in the corpus (their names are not reused).
   * @param excludedNames names and capitals of countries that are no target (see `namesInOthers`).
   */
  constructor(
    private readonly rng: Rng,
    reserved: readonly Country[],
    readonly excludedNames: ReadonlySet<string> = new Set(),
  ) {
    this.taken = new Set(reserved.flatMap((c) => [c.name.toLowerCase(), c.capital.toLowerCase()]));
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
    if (known) return known;
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
    this.byTarget.set(target.key, decoys);
    this.targets.set(decoys[0]!.key, target);
    return decoys;
  }

  /** The targets that have decoys, with them. */
  entries(): Array<{ target: Country; decoys: Country[] }> {
    return [...this.byTarget.values()].map((decoys) => ({ target: this.targets.get(decoys[0]!.key)!, decoys }));
  }

  /**
   * The documents of the shared capitals: for each target, one capital document naming every country with that
   * capital in a shuffled order (it replaces the target's own capital document, so the order of the candidates
   * says nothing about which one is meant), then the decoys' country documents.
   */
  documents(): { capitals: Map<string, CorpusDoc>; countries: CorpusDoc[] } {
    const capitals = new Map<string, CorpusDoc>();
    const countries: CorpusDoc[] = [];
    for (const { target, decoys } of this.entries()) {
      const order = this.rng.shuffle([target, ...decoys]);
      capitals.set(`capital-${target.key}`, { id: `capital-${target.key}`, title: target.capital, text: order.map((c) => capitalText(c)).join(' ') });
      for (const d of decoys) countries.push(countryDocuments(d)[1]);
    }
    return { capitals, countries };
  }
}
