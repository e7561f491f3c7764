import { join } from 'node:path';
import { buildCorpusIndex, writeCorpusJsonl } from './corpus.js';
import { writeExamplesJsonl } from './dataset.js';
import type { TaskSet } from './generate.js';
import { SPLITS } from './schema.js';

/** Paths written by {@link writeTaskSet}. */
export interface WrittenTaskSet {
  corpus: string;
  /** `<suite>.<split>.jsonl` files, by `<suite>.<split>`. */
  examples: Record<string, string>;
  /** The SQLite search index, when asked for. */
  index?: string;
}

/**
 * Writes a task set to `dir`: `corpus.jsonl`, one `<suite>.<split>.jsonl` per suite and split, and, with
 * `index: true`, the search index `corpus.sqlite` built from the corpus.
 */
export async function writeTaskSet(set: TaskSet, dir: string, options: { index?: boolean } = {}): Promise<WrittenTaskSet> {
  const corpus = join(dir, 'corpus.jsonl');
  writeCorpusJsonl(corpus, set.corpus);
  const examples: Record<string, string> = {};
  for (const suite of set.config.suites) {
    for (const split of SPLITS) {
      const path = join(dir, `${suite}.${split}.jsonl`);
      writeExamplesJsonl(path, set.suites[suite]?.[split] ?? []);
      examples[`${suite}.${split}`] = path;
    }
  }
  if (!options.index) return { corpus, examples };
  const index = join(dir, 'corpus.sqlite');
  await buildCorpusIndex(corpus, index);
  return { corpus, examples, index };
}
