import { continents, countries, languages } from 'countries-list';
import { currencies } from 'countries-list/currencies';

/**
 * A country of the knowledge world: a real one from `countries-list` (MIT) or an invented one (training
 * only). Every field is written into the corpus documents, so every gold answer can be copied from a result.
 */
export interface Country {
  /** `AU` for real countries (ISO 3166-1 alpha-2), `syn-00012` for synthetic ones. */
  key: string;
  name: string;
  /** Other names that count as correct answers (real countries only). */
  aliases: string[];
  capital: string;
  /** Continent name, e.g. `Oceania`. */
  continent: string;
  /** ISO 4217 code of the first listed currency, e.g. `AUD`. */
  currencyCode: string;
  /** Currency name, e.g. `Australian Dollar`. */
  currencyName: string;
  /** First international calling code, e.g. 61. */
  callingCode: number;
  /** Name of the first listed language, e.g. `English`. */
  language: string;
  synthetic: boolean;
}

let cached: Country[] | undefined;

/**
 * The real countries of `countries-list` 3.4.1 with a capital, a currency and a language, sorted by ISO code.
 * Dropped: entries without a capital (Antarctica, Bouvet Island, …) and the capitals that two entries share
 * (Georgetown, Kingston), so that "the country whose capital is X" has one answer. 243 countries.
 */
export function realCountries(): readonly Country[] {
  if (cached) return cached;
  const entries = Object.entries(countries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const capitalCount = new Map<string, number>();
  for (const [, c] of entries) capitalCount.set(c.capital, (capitalCount.get(c.capital) ?? 0) + 1);
  const out: Country[] = [];
  for (const [key, c] of entries) {
    if (c.capital === '' || capitalCount.get(c.capital) !== 1) continue;
    const currencyCode = c.currency[0];
    const languageCode = c.languages[0];
    if (currencyCode === undefined || languageCode === undefined || c.phone[0] === undefined) continue;
    const currency = (currencies as Record<string, { name: string } | undefined>)[currencyCode];
    const language = (languages as Record<string, { name: string } | undefined>)[languageCode];
    out.push({
      key,
      name: c.name,
      aliases: (c as { alias?: string[] }).alias ?? [],
      capital: c.capital,
      continent: continents[c.continent],
      currencyCode,
      currencyName: currency?.name ?? currencyCode,
      callingCode: c.phone[0],
      language: language?.name ?? languageCode,
      synthetic: false,
    });
  }
  cached = out;
  return out;
}

/** Continent names a synthetic country may be placed on (Antarctica excluded). */
export const SYNTHETIC_CONTINENTS = ['Africa', 'Asia', 'Europe', 'North America', 'Oceania', 'South America'] as const;
