import { ArpoError } from '@arpo/core';
import { OpenAIServerError } from './server-error.js';

/** One HTTP attempt's settings. */
export interface HttpAttemptOptions {
  /** Request headers (content type is added). */
  headers: Record<string, string>;
  /** Timeout of this attempt, ms. */
  timeoutMs: number;
  /** The caller's signal: its abort is not retried. */
  signal?: AbortSignal;
}

/**
 * One JSON request with Node's built-in `fetch`: `POST` with a body, `GET` without. Every failure becomes an
 * {@link OpenAIServerError} that names `baseUrl` (connection, timeout, HTTP status with the server's error
 * message, body that is not JSON); the caller's own abort rethrows its reason.
 */
export async function requestJson(baseUrl: string, path: string, body: unknown, options: HttpAttemptOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const init: RequestInit = { method: body === undefined ? 'GET' : 'POST', headers: { ...options.headers }, signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let text: string;
  let status: number;
  try {
    const res = await fetch(`${baseUrl}${path}`, init);
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw networkError(baseUrl, path, error, options, timeout);
  }
  if (status < 200 || status >= 300) {
    throw new OpenAIServerError(baseUrl, 'http', `HTTP ${status} from ${path}: ${errorMessage(text)}`, status);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OpenAIServerError(baseUrl, 'malformed', `malformed response from ${path}: not JSON (${snippet(text)})`);
  }
}

function networkError(baseUrl: string, path: string, error: unknown, options: HttpAttemptOptions, timeout: AbortSignal): unknown {
  if (options.signal?.aborted) {
    const reason: unknown = options.signal.reason;
    return reason instanceof Error ? reason : new ArpoError(`request to ${baseUrl}${path} aborted`);
  }
  if (timeout.aborted) {
    return new OpenAIServerError(baseUrl, 'timeout', `no response from ${path} within ${options.timeoutMs} ms`, undefined, true, { cause: error });
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
  return new OpenAIServerError(baseUrl, 'connection', `connection failed on ${path} (${detail})`, undefined, true, { cause: error });
}

/** The `error.message` of an OpenAI-style error body, else a snippet of the body. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const message = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message ?? body.detail);
    if (message !== undefined) return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    // not JSON: fall through
  }
  return snippet(text);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length === 0) return 'empty body';
  return flat.length > 200 ? `${JSON.stringify(flat.slice(0, 200))}…` : JSON.stringify(flat);
}
