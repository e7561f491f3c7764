import { ArpoConfigError, parseConfig, type Tool, type ToolCallContext, type ToolResult } from '@arpo/core';
import { PythonToolConfigSchema, type PythonToolConfig, type PythonToolOptions } from './config.js';
import type { PythonExecutor, PythonRunResult } from './python-executor.js';

/** The Python tool: a core {@link Tool} plus the executor and options it was made with. */
export interface PythonTool extends Tool {
  readonly executor: PythonExecutor;
  readonly options: PythonToolConfig;
}

// Python's str.strip() whitespace (str.isspace), which differs from JS trim(): it includes \x1c-\x1f and
// \x85 and excludes \ufeff.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** `text.strip()` as Python does it (the reference strips stdout/stderr with Python's `str.strip`). */
export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/**
 * The message shown when a run passes its wall-clock limit. The reference returns a Chinese message here
 * (its `PythonTool` catches `subprocess.TimeoutExpired`); we use English.
 */
export function pythonTimeoutText(timeoutMs: number): string {
  const seconds = formatSeconds(timeoutMs);
  return `Execution timed out after ${seconds} second${seconds === '1' ? '' : 's'}. The program was stopped; no output is available.`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

function cut(text: string, maxChars: number | undefined): string {
  if (maxChars === undefined || text.length <= maxChars) return text;
  let end = maxChars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}\n[... ${text.length - end} more characters truncated]`;
}

/**
 * Maps one executor result to a tool result with the reference's semantics (spec §6.3):
 * - exit code 0 → stdout stripped, `ok` (`empty` with text '' when nothing was printed);
 * - otherwise → stderr stripped (the traceback), `error`;
 * - wall-clock timeout → `timeout` with {@link pythonTimeoutText}.
 * Deviations, both where the reference would show the model an empty string: when a failing run wrote no
 * stderr the text says how it ended (`Process exited with code 3.` / `Process was killed by signal
 * SIGKILL …`), and captured output that hit the executor's byte cap ends with a note.
 */
export function pythonToolResult(run: PythonRunResult, timeoutMs: number, maxOutputChars?: number): ToolResult {
  if (run.timedOut) return { status: 'timeout', text: pythonTimeoutText(timeoutMs) };
  if (run.aborted) return { status: 'error', text: 'Execution was cancelled before the program finished.' };
  const note = run.outputTruncated ? '\n[output truncated: the program printed more than the capture limit]' : '';
  if (run.exitCode === 0) {
    const out = pythonStrip(run.stdout);
    if (out === '') return { status: 'empty', text: '' };
    return { status: 'ok', text: cut(out, maxOutputChars) + note };
  }
  let err = pythonStrip(run.stderr);
  if (err === '') {
    if (run.signal) {
      const hint =
        run.signal === 'SIGKILL' || run.signal === 'SIGXCPU'
          ? ' (a resource limit was exceeded: CPU time or memory)'
          : run.signal === 'SIGSEGV'
            ? ' (segmentation fault)'
            : '';
      err = `Process was killed by signal ${run.signal}${hint}.`;
    } else {
      err = `Process exited with code ${String(run.exitCode)}.`;
    }
  }
  return { status: 'error', text: cut(err, maxOutputChars) + note };
}

/**
 * Creates the `python` tool over an executor: the model writes `<python>code</python>` and sees the
 * program's stdout (or its traceback). Never throws for bad code; an executor that cannot run at all
 * (e.g. no interpreter) gives an `error` result saying so.
 *
 * @throws ArpoConfigError for invalid options (naming the field, the value and what was expected).
 */
export function createPythonTool(executor: PythonExecutor, options: PythonToolOptions = {}): PythonTool {
  if (
    executor === null ||
    typeof executor !== 'object' ||
    typeof (executor as Partial<PythonExecutor>).run !== 'function' ||
    typeof (executor as Partial<PythonExecutor>).describe !== 'function'
  ) {
    throw new ArpoConfigError('Python tool', [
      { field: 'executor', value: executor, expected: 'a PythonExecutor (an object with run() and describe())' },
    ]);
  }
  const config = parseConfig(PythonToolConfigSchema, options, 'Python tool options');
  return {
    specificationVersion: 'v1',
    name: config.name,
    description: config.description,
    executor,
    options: config,
    async execute(input: string, context?: ToolCallContext): Promise<ToolResult> {
      let run: PythonRunResult;
      try {
        run = await executor.run(String(input), { timeoutMs: config.timeoutMs, signal: context?.signal });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { status: 'error', text: `The Python interpreter could not be run: ${message}` };
      }
      return pythonToolResult(run, config.timeoutMs, config.maxOutputChars);
    },
  };
}
