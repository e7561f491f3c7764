import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';

// This module depends on Node built-ins only (its two-process test bundles it with esbuild).

/** Options of {@link QueryCache}. */
export interface QueryCacheOptions {
  /**
   * Reload the file when it changed on disk (another process flushed), checked on `get`/`has` at most once per
   * this many milliseconds. Default 15,000 (reference). 0 checks on every read.
   */
  reloadIntervalMs?: number;
  /**
   * Flush automatically this many milliseconds after the first unflushed `set` (timer is `unref`ed, so it
   * never keeps a process alive). Default 1,000. `null` disables: call {@link QueryCache.flush} yourself.
   */
  flushDelayMs?: number | null;
  /** Give up acquiring the lock file after this many milliseconds. Default 10,000. */
  lockTimeoutMs?: number;
  /**
   * A lock file older than this many milliseconds is considered left by a crashed process and removed.
   * Default 30,000 (a flush holds the lock for milliseconds).
   */
  staleLockMs?: number;
}

/** A cache file that cannot be read, or a lock that cannot be taken. */
export class QueryCacheError extends Error {
  override name = 'QueryCacheError';
}

/** Counters, for monitoring and tests. */
export interface QueryCacheStats {
  hits: number;
  misses: number;
  /** Successful flushes that wrote the file. */
  writes: number;
  /** Times the file was re-read because another process changed it. */
  reloads: number;
  /** Times the lock was busy and had to be waited for. */
  lockWaits: number;
  /** Stale lock files removed. */
  staleLocksRemoved: number;
}

/**
 * A persistent key → value cache in one JSON file `{ "key": value, … }` (the reference's
 * `search_cache.json` format, so its shipped file can be used as is), shared safely by several processes.
 *
 * - Reads are served from memory. The file is reloaded when its identity (inode, size, mtime) changed,
 *   checked at most every `reloadIntervalMs`.
 * - `set` updates memory and marks the key pending; {@link flush} (automatic after `flushDelayMs`, or
 *   explicit) takes an exclusive lock file (`<file>.lock`, created with `O_EXCL`, retried with backoff, removed
 *   when older than `staleLockMs`), re-reads the file, merges the pending entries over it, writes a temp
 *   file in the same directory and renames it over the file. Concurrent writers never lose each other's keys
 *   and readers never see a partial file.
 * - Call {@link close} (or `flush`) before exiting; unflushed entries are lost otherwise.
 *
 * Values must be JSON-serialisable.
 */
export class QueryCache<V = string> {
  /** Absolute path of the cache file. */
  readonly path: string;
  /** Path of the lock file (`<path>.lock`). */
  readonly lockPath: string;
  readonly stats: QueryCacheStats = { hits: 0, misses: 0, writes: 0, reloads: 0, lockWaits: 0, staleLocksRemoved: 0 };

  private readonly entries = new Map<string, V>();
  private readonly pending = new Map<string, V>();
  private readonly reloadIntervalMs: number;
  private readonly flushDelayMs: number | null;
  private readonly lockTimeoutMs: number;
  private readonly staleLockMs: number;
  private signature: string | undefined;
  private lastCheck = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();

  /**
   * Opens (or prepares to create) the cache file at `path`; its directory is created when missing.
   * @throws QueryCacheError when the file exists but is not a JSON object.
   */
  constructor(path: string, options: QueryCacheOptions = {}) {
    this.path = resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.reloadIntervalMs = options.reloadIntervalMs ?? 15_000;
    this.flushDelayMs = options.flushDelayMs === undefined ? 1000 : options.flushDelayMs;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    mkdirSync(dirname(this.path), { recursive: true });
    const disk = this.readDisk();
    if (disk) {
      for (const [key, value] of Object.entries(disk.data)) this.entries.set(key, value);
      this.signature = disk.signature;
    }
    this.lastCheck = Date.now();
  }

  /** Entries in memory (flushed or not). */
  get size(): number {
    this.maybeReload();
    return this.entries.size;
  }

  /** Entries set but not yet written to the file. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The value for `key`, or `undefined`. */
  get(key: string): V | undefined {
    this.maybeReload();
    const value = this.entries.get(key);
    if (value === undefined) this.stats.misses++;
    else this.stats.hits++;
    return value;
  }

  has(key: string): boolean {
    this.maybeReload();
    return this.entries.has(key);
  }

  /** Sets `key` in memory and schedules a flush (see `flushDelayMs`). */
  set(key: string, value: V): void {
    this.entries.set(key, value);
    this.pending.set(key, value);
    if (this.flushDelayMs !== null && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush().catch(() => {
          // Kept pending; the next flush retries.
        });
      }, this.flushDelayMs);
      this.timer.unref?.();
    }
  }

  /** Re-reads the file now if it changed on disk (pending entries keep their values). */
  reload(): void {
    this.lastCheck = Date.now();
    let disk: { data: Record<string, V>; signature: string } | undefined;
    try {
      disk = this.readDisk(this.signature);
    } catch {
      return; // A file being replaced or damaged by someone else: keep what is in memory.
    }
    if (disk) this.absorb(disk);
  }

  /**
   * Writes the pending entries to the file under the lock, merged with what other processes wrote. Calls are
   * serialised; resolves when this call's entries are on disk.
   * @throws QueryCacheError when the lock cannot be taken within `lockTimeoutMs` or the file on disk is not a
   *   JSON object (it is left untouched); the entries stay pending.
   */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.flushOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Synchronous {@link flush} (blocks while waiting for the lock), e.g. for a `process.on('exit')` handler. */
  flushSync(): void {
    if (this.pending.size === 0) return;
    this.lockSync();
    this.writeLocked();
  }

  /** Stops the flush timer and flushes. */
  async close(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.flush();
  }

  private maybeReload(): void {
    if (Date.now() - this.lastCheck >= this.reloadIntervalMs) this.reload();
  }

  private absorb(disk: { data: Record<string, V>; signature: string }): void {
    for (const [key, value] of Object.entries(disk.data)) {
      if (!this.pending.has(key)) this.entries.set(key, value);
    }
    this.signature = disk.signature;
    this.stats.reloads++;
  }

  /** Reads the file; `undefined` when missing or (given `unlessSignature`) unchanged. */
  private readDisk(unlessSignature?: string): { data: Record<string, V>; signature: string } | undefined {
    let st;
    try {
      st = statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const signature = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (unlessSignature !== undefined && signature === unlessSignature) return undefined;
    const text = readFileSync(this.path, 'utf8');
    let data: unknown;
    try {
      data = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new QueryCacheError(`Cache file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new QueryCacheError(`Cache file ${this.path} must hold a JSON object { "key": value }.`);
    }
    return { data: data as Record<string, V>, signature };
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    await this.lock();
    this.writeLocked();
  }

  /** Merges the pending entries into the file; the caller holds the lock, which this releases. */
  private writeLocked(): void {
    try {
      const batch = new Map(this.pending);
      const disk = this.readDisk();
      const merged: Record<string, V> = disk ? disk.data : {};
      if (disk) {
        for (const [key, value] of Object.entries(disk.data)) {
          if (!this.pending.has(key)) this.entries.set(key, value);
        }
      }
      for (const [key, value] of batch) {
        // defineProperty: a key such as "__proto__" becomes a plain own property.
        Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
      }
      writeFileAtomicSync(this.path, JSON.stringify(merged));
      const st = statSync(this.path);
      this.signature = `${st.ino}:${st.size}:${st.mtimeMs}`;
      this.lastCheck = Date.now();
      this.stats.writes++;
      for (const [key, value] of batch) {
        if (this.pending.get(key) === value) this.pending.delete(key);
      }
    } finally {
      rmSync(this.lockPath, { force: true });
    }
  }

  /** One attempt to create the lock file; removes a stale one. True when the lock is held. */
  private tryLock(): boolean {
    try {
      const fd = openSync(this.lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      const age = Date.now() - statSync(this.lockPath).mtimeMs;
      if (age > this.staleLockMs) {
        // Rename first: of several processes breaking the same stale lock, exactly one succeeds.
        const aside = `${this.lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
        renameSync(this.lockPath, aside);
        rmSync(aside, { force: true });
        this.stats.staleLocksRemoved++;
        return this.tryLock();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return this.tryLock(); // Released meanwhile.
    }
    return false;
  }

  private lockTimeoutError(): QueryCacheError {
    return new QueryCacheError(
      `Timed out after ${this.lockTimeoutMs} ms waiting for the cache lock ${this.lockPath}. ` +
        `If no process is writing the cache, delete the lock file (it is removed automatically after ${this.staleLockMs} ms).`,
    );
  }

  private async lock(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 2;
    while (!this.tryLock()) {
      this.stats.lockWaits++;
      if (Date.now() >= deadline) throw this.lockTimeoutError();
      await new Promise((done) => setTimeout(done, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 100);
    }
  }

  private lockSync(): void {
    const deadline = Date.now() + this.lockTimeoutMs;
    const cell = new Int32Array(new SharedArrayBuffer(4));
    let delay = 2;
    while (!this.tryLock()) {
      this.stats.lockWaits++;
      if (Date.now() >= deadline) throw this.lockTimeoutError();
      Atomics.wait(cell, 0, 0, delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 100);
    }
  }
}
