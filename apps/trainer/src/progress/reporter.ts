/** How progress and messages are shown: a redrawn bar (TTY), plain lines, nothing, or JSON lines for scripts. */
export type OutputMode = 'bar' | 'plain' | 'quiet' | 'json';

/** Where a {@link Reporter} writes, and its clock (explicit so tests are exact). */
export interface ReporterOptions {
  mode: OutputMode;
  /** Human output (bars, messages). Default `process.stderr`. */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** JSON lines and results. Default `process.stdout`. */
  out?: { write(s: string): unknown };
  /** Milliseconds. Default `performance.now`. */
  now?: () => number;
  /** Minimum milliseconds between two plain-mode lines of one phase. Default 5000. */
  plainIntervalMs?: number;
}

/** Picks `bar` on a terminal and `plain` otherwise. */
export function defaultOutputMode(stream: { isTTY?: boolean } = process.stderr): OutputMode {
  return stream.isTTY ? 'bar' : 'plain';
}

/** A rate and ETA line such as `12.3 step/s  ETA 0:24`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** One long phase (index, data, sft, rollout, update, eval): counts, rate, ETA and a free-form status. */
export class PhaseProgress {
  private done = 0;
  private readonly started: number;
  private lastPrinted = -Infinity;
  private status = '';
  private finished = false;

  constructor(
    private readonly reporter: Reporter,
    readonly name: string,
    readonly total: number,
    readonly unit: string,
  ) {
    this.started = reporter.now();
    this.render(false);
  }

  /** Counts `n` more units done; `status` (e.g. `loss 0.81`) replaces the previous one. */
  tick(n = 1, status?: string): void {
    this.done += n;
    if (status !== undefined) this.status = status;
    this.render(false);
  }

  /** Ends the phase with a final line. */
  finish(status?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (status !== undefined) this.status = status;
    this.render(true);
  }

  /** Units per second so far. */
  rate(): number {
    const s = (this.reporter.now() - this.started) / 1000;
    return s > 0 ? this.done / s : 0;
  }

  private render(final: boolean): void {
    const r = this.reporter;
    const elapsed = r.now() - this.started;
    const rate = this.rate();
    const eta = rate > 0 && this.total > 0 ? ((this.total - this.done) / rate) * 1000 : NaN;
    if (r.mode === 'json') {
      if (!final && r.now() - this.lastPrinted < r.plainIntervalMs && this.done < this.total) return;
      this.lastPrinted = r.now();
      r.emit({ event: final ? 'phase-end' : 'progress', phase: this.name, done: this.done, total: this.total, unit: this.unit, rate, elapsedMs: elapsed, etaMs: Number.isFinite(eta) ? eta : null, status: this.status || undefined });
      return;
    }
    if (r.mode === 'quiet') return;
    if (r.mode === 'plain' && !final && this.done === 0) {
      this.lastPrinted = r.now(); // the first plain line comes one interval after the start
      return;
    }
    const pct = this.total > 0 ? Math.min(100, Math.floor((100 * this.done) / this.total)) : 0;
    const counts = this.total > 0 ? `${this.done}/${this.total} ${this.unit}` : `${this.done} ${this.unit}`;
    const rateText = `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(rate >= 10 ? 1 : 2)} ${this.unit}/s`;
    const timing = final ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    const tail = this.status ? `  ${this.status}` : '';
    if (r.mode === 'bar') {
      const width = 24;
      const filled = Math.round((pct / 100) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      r.stream.write(`\r\x1b[2K${this.name.padEnd(9)} ${bar} ${String(pct).padStart(3)}%  ${counts}  ${rateText}  ${timing}${tail}${final ? '\n' : ''}`);
      return;
    }
    if (!final && r.now() - this.lastPrinted < r.plainIntervalMs) return;
    this.lastPrinted = r.now();
    r.stream.write(`${this.name.padEnd(9)} ${String(pct).padStart(3)}%  ${counts}  ${rateText}  ${timing}${tail}\n`);
  }
}

/** Progress bars, messages and machine-readable events of a command. */
export class Reporter {
  readonly mode: OutputMode;
  readonly stream: { write(s: string): unknown; isTTY?: boolean };
  readonly out: { write(s: string): unknown };
  readonly now: () => number;
  readonly plainIntervalMs: number;

  constructor(options: ReporterOptions) {
    this.mode = options.mode;
    this.stream = options.stream ?? process.stderr;
    this.out = options.out ?? process.stdout;
    this.now = options.now ?? (() => performance.now());
    this.plainIntervalMs = options.plainIntervalMs ?? 5000;
  }

  /** Starts a phase of `total` units (0 when unknown). */
  phase(name: string, total: number, unit = 'it'): PhaseProgress {
    return new PhaseProgress(this, name, total, unit);
  }

  /** A message for people (a JSON `log` event in json mode; nothing in quiet mode). */
  info(message: string): void {
    if (this.mode === 'json') this.emit({ event: 'log', message });
    else if (this.mode !== 'quiet') this.stream.write(`${message}\n`);
  }

  /** A warning: shown in every mode but json, where it is an event. */
  warn(message: string): void {
    if (this.mode === 'json') this.emit({ event: 'warning', message });
    else this.stream.write(`warning: ${message}\n`);
  }

  /** A structured record (per-step metrics, results): a JSON line in json mode only. */
  record(event: string, data: object): void {
    if (this.mode === 'json') this.emit({ event, ...data });
  }

  /** Writes one JSON line to `out`. */
  emit(value: object): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }
}
