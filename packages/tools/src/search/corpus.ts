import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { ArpoConfigError, type FieldProblem } from '@arpo/core';

/**
 * One document of a search corpus. On disk a corpus is JSONL, one `{"id", "title", "text"}` object per line;
 * other keys (e.g. `url`) are ignored.
 */
export interface CorpusDoc {
  /** Unique, non-empty id. */
  id: string;
  /** Title; optional in the file (missing → `''`). Weighted 2 against the body in ranking. */
  title: string;
  /** Body text, returned verbatim in search results. */
  text: string;
}

/**
 * Where to read documents from: the path of a JSONL file, or documents already in memory / produced lazily.
 * Documents from an iterable are validated the same way as file lines.
 */
export type CorpusSource = string | Iterable<CorpusDoc> | AsyncIterable<CorpusDoc>;

/** Progress of a corpus read, reported every 1,000 documents and once at the end. */
export interface CorpusProgress {
  /** Documents read so far. */
  docs: number;
  /** Bytes of the file read so far (file sources only; runs slightly ahead of `docs`). */
  bytesRead?: number;
  /** File size in bytes (file sources only). */
  totalBytes?: number;
  /** True on the last report. */
  done: boolean;
}

/** Options of {@link readCorpus}. */
export interface ReadCorpusOptions {
  /** Called every 1,000 documents and once at the end (`done: true`). */
  onProgress?: (progress: CorpusProgress) => void;
  /** Reject a second document with an id already seen (default true). */
  checkDuplicateIds?: boolean;
}

const PROGRESS_EVERY = 1000;

/**
 * Streams and validates the documents of a corpus. A file is read line by line (blank lines skipped), so a
 * corpus of any size never sits in memory at once (only the set of ids seen, for the duplicate check).
 *
 * @throws ArpoConfigError naming `corpus line N of <file>` (or `corpus document N` for iterables), the
 *   field, the value and what was expected: invalid JSON, a non-object line, a missing / non-string /
 *   empty `id`, a non-string `title`, a missing or non-string `text`, or an id already used (both line
 *   numbers are named).
 */
export async function* readCorpus(source: CorpusSource, options: ReadCorpusOptions = {}): AsyncGenerator<CorpusDoc> {
  const { onProgress, checkDuplicateIds = true } = options;
  const seen = checkDuplicateIds ? new Map<string, number>() : undefined;
  let docs = 0;

  if (typeof source === 'string') {
    const totalBytes = statSync(source).size;
    const stream = createReadStream(source, { encoding: 'utf8', highWaterMark: 1 << 16 });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    const name = basename(source);
    let lineNo = 0;
    try {
      for await (const raw of lines) {
        lineNo++;
        const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
        if (line.trim() === '') continue;
        const subject = `corpus line ${lineNo} of ${name}`;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          throw new ArpoConfigError(subject, [
            {
              field: '(root)',
              value: line.length > 80 ? `${line.slice(0, 77)}...` : line,
              expected: `a JSON object {"id", "title", "text"} (${(error as Error).message})`,
            },
          ]);
        }
        const doc = validateDoc(value, subject);
        if (seen) checkDuplicate(seen, doc.id, lineNo, subject, 'line');
        docs++;
        yield doc;
        if (onProgress && docs % PROGRESS_EVERY === 0) {
          onProgress({ docs, bytesRead: stream.bytesRead, totalBytes, done: false });
        }
      }
    } finally {
      lines.close();
      stream.destroy();
    }
    onProgress?.({ docs, bytesRead: totalBytes, totalBytes, done: true });
    return;
  }

  let index = 0;
  for await (const item of source as AsyncIterable<CorpusDoc>) {
    index++;
    const subject = `corpus document ${index}`;
    const doc = validateDoc(item, subject);
    if (seen) checkDuplicate(seen, doc.id, index, subject, 'document');
    docs++;
    yield doc;
    if (onProgress && docs % PROGRESS_EVERY === 0) onProgress({ docs, done: false });
  }
  onProgress?.({ docs, done: true });
}

/**
 * Validates one parsed corpus record and returns a clean {@link CorpusDoc} (`title` defaults to `''`).
 * @throws ArpoConfigError naming `subject`, each bad field, its value and what was expected.
 */
export function validateDoc(value: unknown, subject: string): CorpusDoc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArpoConfigError(subject, [
      { field: '(root)', value, expected: 'a JSON object {"id", "title", "text"}' },
    ]);
  }
  const record = value as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const { id, title, text } = record;
  if (typeof id !== 'string' || id === '') {
    problems.push({ field: 'id', value: id, expected: 'a non-empty string' });
  }
  if (title !== undefined && typeof title !== 'string') {
    problems.push({ field: 'title', value: title, expected: 'a string (or no title field)' });
  }
  if (typeof text !== 'string') {
    problems.push({ field: 'text', value: text, expected: 'a string' });
  }
  if (problems.length > 0) throw new ArpoConfigError(subject, problems);
  return { id: id as string, title: (title as string | undefined) ?? '', text: text as string };
}

function checkDuplicate(
  seen: Map<string, number>,
  id: string,
  position: number,
  subject: string,
  unit: 'line' | 'document',
): void {
  const first = seen.get(id);
  if (first !== undefined) {
    throw new ArpoConfigError(subject, [
      {
        field: 'id',
        value: id,
        expected: `a unique id (${JSON.stringify(id)} is already used by ${unit} ${first})`,
      },
    ]);
  }
  seen.set(id, position);
}
