import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { readCorpus, validateDoc, type CorpusDoc, type CorpusProgress, type CorpusSource } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'arpo-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect(source: CorpusSource, onProgress?: (p: CorpusProgress) => void): Promise<CorpusDoc[]> {
  const docs: CorpusDoc[] = [];
  for await (const doc of readCorpus(source, onProgress ? { onProgress } : {})) docs.push(doc);
  return docs;
}

async function errorOf(source: CorpusSource): Promise<ArpoConfigError> {
  try {
    await collect(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ArpoConfigError);
    return error as ArpoConfigError;
  }
  throw new Error('expected readCorpus to throw');
}

describe('readCorpus', () => {
  it('streams a JSONL file: skips blank lines, accepts CRLF and a BOM, defaults a missing title to ""', async () => {
    const path = file(
      'ok.jsonl',
      '\uFEFF{"id":"a","title":"A","text":"alpha"}\r\n\r\n   \n{"id":"b","text":"beta","url":"ignored"}\n',
    );
    expect(await collect(path)).toEqual([
      { id: 'a', title: 'A', text: 'alpha' },
      { id: 'b', title: '', text: 'beta' },
    ]);
  });

  it('names the line, field, value and expectation for a missing text', async () => {
    const path = file('missing-text.jsonl', '{"id":"a","text":"x"}\n{"id":"b","title":"B"}\n');
    const error = await errorOf(path);
    expect(error.message).toBe(
      'Invalid corpus line 2 of missing-text.jsonl: text = undefined (missing) (expected a string)',
    );
    expect(error.subject).toBe('corpus line 2 of missing-text.jsonl');
    expect(error.field).toBe('text');
  });

  it('rejects a non-string id and an empty id', async () => {
    expect((await errorOf(file('num-id.jsonl', '\n\n{"id":42,"text":"x"}\n'))).message).toBe(
      'Invalid corpus line 3 of num-id.jsonl: id = 42 (expected a non-empty string)',
    );
    expect((await errorOf(file('empty-id.jsonl', '{"id":"","text":"x"}'))).message).toBe(
      'Invalid corpus line 1 of empty-id.jsonl: id = "" (expected a non-empty string)',
    );
  });

  it('reports every bad field of a line', async () => {
    const error = await errorOf(file('many.jsonl', '{"id":null,"title":7,"text":["x"]}'));
    expect(error.message).toBe(
      'Invalid corpus line 1 of many.jsonl: id = null (expected a non-empty string); ' +
        'title = 7 (expected a string (or no title field)); text = ["x"] (expected a string)',
    );
  });

  it('rejects invalid JSON and non-object lines', async () => {
    const bad = await errorOf(file('bad-json.jsonl', '{"id":"a","text":"x"}\n{"id": "b", text: 1}\n'));
    expect(bad.message).toMatch(
      /^Invalid corpus line 2 of bad-json\.jsonl: \(root\) = "\{\\"id\\": \\"b\\", text: 1\}" \(expected a JSON object \{"id", "title", "text"\} \(.+\)\)$/,
    );
    expect((await errorOf(file('array.jsonl', '["a","b"]'))).message).toBe(
      'Invalid corpus line 1 of array.jsonl: (root) = ["a","b"] (expected a JSON object {"id", "title", "text"})',
    );
  });

  it('names both lines of a duplicate id', async () => {
    const path = file('dup.jsonl', '{"id":"a","text":"1"}\n{"id":"b","text":"2"}\n\n{"id":"a","text":"3"}\n');
    expect((await errorOf(path)).message).toBe(
      'Invalid corpus line 4 of dup.jsonl: id = "a" (expected a unique id ("a" is already used by line 1))',
    );
  });

  it('validates in-memory documents the same way, naming the document number', async () => {
    const docs = [{ id: 'a', title: 'A', text: 'x' }, { id: 'b' }] as unknown as CorpusDoc[];
    expect((await errorOf(docs)).message).toBe(
      'Invalid corpus document 2: text = undefined (missing) (expected a string)',
    );
    const dup = [
      { id: 'a', title: '', text: 'x' },
      { id: 'a', title: '', text: 'y' },
    ];
    expect((await errorOf(dup)).message).toBe(
      'Invalid corpus document 2: id = "a" (expected a unique id ("a" is already used by document 1))',
    );
  });

  it('reports progress every 1,000 documents and once at the end, with byte counts for files', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ id: `d${i}`, title: '', text: `doc ${i}` }));
    const path = file('big.jsonl', `${lines.join('\n')}\n`);
    const reports: CorpusProgress[] = [];
    const docs = await collect(path, (p) => reports.push(p));
    expect(docs).toHaveLength(2500);
    expect(reports.map((r) => [r.docs, r.done])).toEqual([
      [1000, false],
      [2000, false],
      [2500, true],
    ]);
    const last = reports.at(-1)!;
    expect(last.totalBytes).toBeGreaterThan(0);
    expect(last.bytesRead).toBe(last.totalBytes);
  });

  it('validateDoc returns a clean document', () => {
    expect(validateDoc({ id: 'x', text: 't', extra: 1 }, 'doc')).toEqual({ id: 'x', title: '', text: 't' });
  });
});
