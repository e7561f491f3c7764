import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomicSync } from '@arpo/tools';

/** One JSON value per line, `\n`-terminated. */
export function toJsonl(rows: Iterable<unknown>): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

/** Writes rows as JSONL atomically (`@arpo/tools`' temp file + fsync + rename); creates the folder. */
export function writeJsonl(path: string, rows: Iterable<unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, toJsonl(rows));
}

/** The non-blank lines of a JSONL text with their 1-based line numbers (a leading BOM is dropped). */
export function jsonlLines(text: string): Array<{ line: number; text: string }> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: Array<{ line: number; text: string }> = [];
  body.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() !== '') out.push({ line: i + 1, text: raw });
  });
  return out;
}

/** Reads a UTF-8 file's JSONL lines. */
export function readJsonlLines(path: string): Array<{ line: number; text: string }> {
  return jsonlLines(readFileSync(path, 'utf8'));
}
