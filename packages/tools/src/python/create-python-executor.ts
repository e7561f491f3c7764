import { ArpoConfigError, ArpoError } from '@arpo/core';
import { BubblewrapPythonExecutor } from './bubblewrap-executor.js';
import type { BubblewrapPythonExecutorOptions, SubprocessPythonExecutorOptions } from './config.js';
import type { PythonExecutor } from './python-executor.js';
import { SubprocessPythonExecutor } from './subprocess-executor.js';

/** Which executor {@link createPythonExecutor} builds. */
export type PythonIsolation = 'auto' | 'subprocess' | 'bubblewrap';

export interface CreatePythonExecutorOptions {
  /**
   * `auto` (default): bubblewrap when it works here, else the subprocess executor (never fails for lack of
   * bwrap). `subprocess` / `bubblewrap`: exactly that one (`bubblewrap` rejects when bwrap cannot run).
   */
  isolation?: PythonIsolation;
  /** Options of the subprocess executor (used by `subprocess`, and by `auto` when it falls back). */
  subprocess?: SubprocessPythonExecutorOptions;
  /** Options of the bubblewrap executor. */
  bubblewrap?: BubblewrapPythonExecutorOptions;
  /** Receives one line saying which executor was picked and why. Default: `console.warn` when `auto` falls back. */
  log?: (message: string) => void;
}

/** The executor built, what it is, and why it was picked. */
export interface CreatedPythonExecutor {
  executor: PythonExecutor;
  isolation: 'subprocess' | 'bubblewrap';
  /** Why this executor was picked (e.g. the reason bwrap is unavailable). */
  reason: string;
}

/**
 * Builds and initialises a Python executor (probing the machine once). Under `auto` it picks bubblewrap when
 * available and otherwise falls back to the subprocess executor, logging why.
 *
 * @throws ArpoConfigError for invalid options; ArpoError when `bubblewrap` was asked for and cannot run, or
 * when the interpreter cannot be started.
 */
export async function createPythonExecutor(options: CreatePythonExecutorOptions = {}): Promise<CreatedPythonExecutor> {
  const isolation = options.isolation ?? 'auto';
  if (!['auto', 'subprocess', 'bubblewrap'].includes(isolation)) {
    throw new ArpoConfigError('Python executor options', [
      { field: 'isolation', value: isolation, expected: 'one of "auto", "subprocess", "bubblewrap"' },
    ]);
  }
  const log = options.log;
  if (isolation === 'bubblewrap' || isolation === 'auto') {
    const executor = new BubblewrapPythonExecutor(options.bubblewrap ?? {});
    let unavailable: string;
    try {
      const iso = await executor.init();
      const reason = isolation === 'auto' ? `bubblewrap is available (${iso.version})` : 'requested';
      log?.(`Python executor: bubblewrap (${reason}).`);
      return { executor, isolation: 'bubblewrap', reason };
    } catch (error) {
      unavailable = error instanceof Error ? error.message : String(error);
    }
    if (isolation === 'bubblewrap') throw new ArpoError(`Python executor: bubblewrap was requested but cannot be used: ${unavailable}`);
    const fallback = new SubprocessPythonExecutor(options.subprocess ?? {});
    await wrapInit(fallback);
    const reason = `bubblewrap unavailable (${unavailable}); using the subprocess executor (${fallback.isolation?.mode ?? 'basic'} isolation)`;
    (log ?? ((m: string) => console.warn(m)))(`Python executor: ${reason}.`);
    return { executor: fallback, isolation: 'subprocess', reason };
  }
  const executor = new SubprocessPythonExecutor(options.subprocess ?? {});
  await wrapInit(executor);
  const reason = `requested (${executor.isolation?.mode ?? 'basic'} isolation)`;
  log?.(`Python executor: subprocess, ${reason}.`);
  return { executor, isolation: 'subprocess', reason };
}

async function wrapInit(executor: SubprocessPythonExecutor): Promise<void> {
  try {
    await executor.init();
  } catch (error) {
    throw error instanceof ArpoError ? error : new ArpoError(error instanceof Error ? error.message : String(error));
  }
}
