import { parseArgs } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { CorpusProgress } from '../search/corpus.js';
import { buildMiniSearchIndex } from '../search/minisearch-index.js';
import { buildSqliteIndex, type IndexBuildStats } from '../search/sqlite-index.js';

/** Where `arpo-index` writes (process streams in the bin; string buffers in tests). */
export interface ArpoIndexIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** Milliseconds clock for the progress bar (default `performance.now`). */
  now?: () => number;
}

export const ARPO_INDEX_USAGE = `Usage: arpo-index <corpus.jsonl> <out> [--backend sqlite|minisearch] [--quiet]

Builds a search index for the ARPO search tool from a JSONL corpus, one {"id", "title", "text"} object per line.

  --backend sqlite       SQLite FTS5 index, one file (default; BM25, title weight 2, Porter stemming)
  --backend minisearch   MiniSearch index, one JSON file (pure JavaScript)
  --quiet                no progress bar
  -h, --help             show this help
`;

const BAR_WIDTH = 24;

/**
 * The `arpo-index` command. Returns the exit code: 0 built, 1 bad corpus or I/O error (message on stderr),
 * 2 usage error. Never throws.
 */
export async function runArpoIndex(argv: readonly string[], io: ArpoIndexIo): Promise<number> {
  let values: { backend?: string | undefined; quiet?: boolean | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        backend: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr.write(`arpo-index: ${(error as Error).message}\n\n${ARPO_INDEX_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(ARPO_INDEX_USAGE);
    return 0;
  }
  const backend = values.backend ?? 'sqlite';
  if (backend !== 'sqlite' && backend !== 'minisearch') {
    io.stderr.write(`arpo-index: --backend must be sqlite or minisearch, got ${JSON.stringify(backend)}\n`);
    return 2;
  }
  if (positionals.length !== 2) {
    io.stderr.write(`arpo-index: expected 2 arguments <corpus.jsonl> <out>, got ${positionals.length}\n\n${ARPO_INDEX_USAGE}`);
    return 2;
  }
  const [corpus, out] = positionals as [string, string];
  if (!existsSync(corpus) || !statSync(corpus).isFile()) {
    io.stderr.write(`arpo-index: corpus file not found: ${corpus}\n`);
    return 1;
  }

  const now = io.now ?? (() => performance.now());
  const progress = values.quiet ? undefined : createProgressBar(io.stderr, now);
  try {
    const build = backend === 'sqlite' ? buildSqliteIndex : buildMiniSearchIndex;
    const stats = await build(corpus, out, progress ? { onProgress: progress } : {});
    io.stdout.write(`${summary(stats, out)}\n`);
    return 0;
  } catch (error) {
    progress?.abandon();
    io.stderr.write(`arpo-index: ${(error as Error).message}\n`);
    return 1;
  }
}

/** `Indexed 8 documents into index.sqlite (sqlite) in 0.01 s, 24.0 KiB` */
function summary(stats: IndexBuildStats, out: string): string {
  const shown = relative(process.cwd(), stats.path) || out;
  const docs = `${stats.docs.toLocaleString('en-US')} document${stats.docs === 1 ? '' : 's'}`;
  return `Indexed ${docs} into ${shown} (${stats.backend}) in ${(stats.buildMs / 1000).toFixed(2)} s, ${formatBytes(stats.bytes)}`;
}

/** `512 B`, `24.0 KiB`, `13.9 MiB`, `1.20 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** `1s`, `42s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A progress bar on stderr: on a terminal one `\r`-updated line (at most every 100 ms), otherwise a plain
 * line at most every 5 s; always a final line. The fraction comes from bytes read of the corpus file, so the
 * total is known without counting lines first.
 */
function createProgressBar(
  stream: ArpoIndexIo['stderr'],
  now: () => number,
): ((p: CorpusProgress) => void) & { abandon(): void } {
  const tty = stream.isTTY === true;
  const started = now();
  let last = -Infinity;
  let width = 0;
  const update = (p: CorpusProgress): void => {
    const t = now();
    if (!p.done && t - last < (tty ? 100 : 5000)) return;
    last = t;
    const seconds = Math.max((t - started) / 1000, 1e-3);
    const rate = p.docs / seconds;
    const fraction = p.totalBytes ? Math.min(1, (p.bytesRead ?? 0) / p.totalBytes) : undefined;
    let line: string;
    if (fraction === undefined) {
      line = `${p.docs.toLocaleString('en-US')} docs  ${Math.round(rate).toLocaleString('en-US')} docs/s`;
    } else {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
      const tail = p.done
        ? `done in ${seconds.toFixed(1)}s`
        : `ETA ${fraction > 0 ? formatDuration((seconds * (1 - fraction)) / fraction) : '?'}`;
      line = `${bar} ${pct}  ${p.docs.toLocaleString('en-US')} docs  ${Math.round(rate).toLocaleString('en-US')} docs/s  ${tail}`;
    }
    if (tty) {
      stream.write(`\r${line}${' '.repeat(Math.max(0, width - line.length))}${p.done ? '\n' : ''}`);
      width = line.length;
    } else {
      stream.write(`${line}\n`);
    }
  };
  return Object.assign(update, {
    abandon(): void {
      if (tty && width > 0) stream.write('\n');
      width = 0;
    },
  });
}
