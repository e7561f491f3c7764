import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ArpoError } from '@arpo/core';
import { RUN_FILES } from '../run-files.js';
import { readRun } from './read-run.js';
import { renderReport, type RenderReportOptions } from './render-report.js';

/**
 * Reads the run folders, renders them into one self-contained HTML report and writes it atomically (a temporary
 * file in the same folder, then a rename), so a reader never sees a half-written report.
 *
 * @param runDirs one or more run folders; several are overlaid (e.g. ARPO vs GRPO)
 * @param outFile where to write; default `<first run>/report.html`
 * @returns the absolute path of the written report
 */
export async function writeReport(runDirs: string[], outFile?: string, options: RenderReportOptions = {}): Promise<string> {
  const first = runDirs[0];
  if (first === undefined) throw new ArpoError('writeReport: no run folders given (expected at least one)');
  const runs = [];
  for (const dir of runDirs) runs.push(await readRun(dir));
  const html = renderReport(runs, options);
  const target = resolve(outFile ?? join(first, RUN_FILES.report));
  await writeFileAtomic(target, html);
  return target;
}

/** Writes `text` to `path` through a temporary sibling file and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
