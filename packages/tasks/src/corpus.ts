import { buildSqliteIndex, type CorpusDoc, type IndexBuildStats } from '@arpo/tools';
import { writeJsonl } from './jsonl.js';
import type { Country } from './data/countries.js';

/**
 * The two documents of a country. Every value a question can ask for, or a next query needs, follows a space
 * and is followed by `.` or `,`, in the documents as in the demonstrations' queries, thinking and
 * `\boxed{ answer}`: with a GPT-2-style tokenizer (leading-space word tokens) a value copied from a result then
 * has the same tokens in the answer as in the result.
 *
 * - capital document: `Canberra is the capital city of Australia.`
 * - country document: `Australia is a country in Oceania. Its currency is the Australian Dollar, code AUD.
 *   Its international calling code is 61. Its main language is English.`
 *
 * The country document does not name the capital: a question from a capital to a country fact needs two
 * searches (capital → country, country → fact).
 */
export function countryDocuments(country: Country): [CorpusDoc, CorpusDoc] {
  return [
    { id: `capital-${country.key}`, title: country.capital, text: capitalText(country) },
    { id: `country-${country.key}`, title: country.name, text: countryText(country) },
  ];
}

export function capitalText(c: Pick<Country, 'capital' | 'name'>): string {
  return `${c.capital} is the capital city of ${c.name}.`;
}

export function countryText(c: Country): string {
  return (
    `${c.name} is a country in ${c.continent}. Its currency is the ${c.currencyName}, code ${c.currencyCode}. ` +
    `Its international calling code is ${c.callingCode}. Its main language is ${c.language}.`
  );
}

/** Writes a corpus as JSONL (`{"id","title","text"}` per line), the format `@arpo/tools` indexes. */
export function writeCorpusJsonl(path: string, docs: Iterable<CorpusDoc>): void {
  writeJsonl(
    path,
    (function* () {
      for (const d of docs) yield { id: d.id, title: d.title, text: d.text };
    })(),
  );
}

/**
 * Builds the `@arpo/tools` SQLite FTS5 search index (BM25, Porter stemming) from a corpus: a JSONL path or
 * the documents themselves. Open it with `openSqliteIndex(indexPath)` and wrap it with `createSearchTool`.
 */
export function buildCorpusIndex(corpus: string | Iterable<CorpusDoc>, indexPath: string): Promise<IndexBuildStats> {
  return buildSqliteIndex(corpus, indexPath);
}
