import type { Rng } from '@arpo/core';
import { currencies } from 'countries-list/currencies';
import { languages } from 'countries-list';
import { realCountries, SYNTHETIC_CONTINENTS, type Country } from './countries.js';

const ONSETS = ['b', 'd', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'g', 'h', 'f', 'j', 'br', 'dr', 'kr', 'tr', 'sh', 'th', 'st', 'gr', 'pl', 'ch'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ia', 'ei', 'ou', 'ae', 'ai'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'm', 'th', 'k'];
const COUNTRY_SUFFIXES = ['', '', '', 'ia', 'stan', 'land', 'ar', 'ea'];
const CAPITAL_PATTERNS = ['{}', '{}', '{}', '{}', 'Port {}', 'San {}', 'New {}', 'Saint {}', '{} City', 'Fort {}'];
const CURRENCY_UNITS = ['Dollar', 'Franc', 'Pound', 'Mark', 'Crown', 'Dinar', 'Peso', 'Rupee', 'Shilling', 'Lira', 'Dram', 'Real'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function word(rng: Rng, minSyllables: number, maxSyllables: number): string {
  const n = minSyllables + rng.int(maxSyllables - minSyllables + 1);
  let w = '';
  for (let i = 0; i < n; i++) w += pick(rng, ONSETS) + pick(rng, VOWELS) + (i === n - 1 ? pick(rng, CODAS) : '');
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/**
 * Invents `count` countries (deterministic for a given `rng` state): pronounceable random names and capitals
 * (some multi-word, e.g. `Port Velor`), random 3-letter currency codes that are not real ISO 4217 codes, a
 * random continent, calling code (1–999) and real language name. No name, capital or code collides with a real
 * one or with another invented one (compared case-insensitively), so every invented fact is unambiguous.
 */
export function syntheticCountries(rng: Rng, count: number): Country[] {
  const used = new Set<string>();
  for (const c of realCountries()) {
    used.add(c.name.toLowerCase());
    used.add(c.capital.toLowerCase());
    for (const a of c.aliases) used.add(a.toLowerCase());
  }
  const usedCodes = new Set(Object.keys(currencies));
  const languageNames = Object.values(languages as Record<string, { name: string }>)
    .map((l) => l.name)
    .filter((n) => /^[A-Za-z]+$/.test(n))
    .sort();
  const fresh = (make: () => string): string => {
    for (;;) {
      const candidate = make();
      const key = candidate.toLowerCase();
      if (!used.has(key)) {
        used.add(key);
        return candidate;
      }
    }
  };
  const out: Country[] = [];
  for (let i = 0; i < count; i++) {
    const name = fresh(() => word(rng, 2, 3) + pick(rng, COUNTRY_SUFFIXES));
    const capital = fresh(() => pick(rng, CAPITAL_PATTERNS).replace('{}', word(rng, 2, 3)));
    let code: string;
    do {
      code = String.fromCharCode(65 + rng.int(26), 65 + rng.int(26), 65 + rng.int(26));
    } while (usedCodes.has(code));
    usedCodes.add(code);
    out.push({
      key: `syn-${String(i).padStart(5, '0')}`,
      name,
      aliases: [],
      capital,
      continent: pick(rng, SYNTHETIC_CONTINENTS),
      currencyCode: code,
      currencyName: `${name} ${pick(rng, CURRENCY_UNITS)}`,
      callingCode: 1 + rng.int(999),
      language: pick(rng, languageNames),
      synthetic: true,
    });
  }
  return out;
}
