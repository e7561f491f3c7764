import { ArpoError } from '@arpo/core';

/** What went wrong talking to a server. */
export type ServerErrorKind =
  /** The server could not be reached, or the connection broke (refused, reset, DNS). */
  | 'connection'
  /** The per-request timeout elapsed. */
  | 'timeout'
  /** The server answered with a non-2xx HTTP status. */
  | 'http'
  /** The body is not JSON, or not the completions API's shape. */
  | 'malformed'
  /** The response lacks the log-probs ARPO needs. */
  | 'no-logprobs';

/**
 * An error from one inference server. The message starts with the server's URL; `retryable` says whether
 * another attempt (on this or another server) may succeed: connection errors, timeouts, 429 and 5xx are
 * retryable, malformed responses and other 4xx are not.
 */
export class OpenAIServerError extends ArpoError {
  override name = 'OpenAIServerError';

  constructor(
    /** Base URL of the server that failed. */
    readonly url: string,
    /** What went wrong. */
    readonly kind: ServerErrorKind,
    message: string,
    /** HTTP status, for `http` errors. */
    readonly status?: number,
    /** Whether another attempt may succeed. */
    readonly retryable = kind === 'connection' || kind === 'timeout' || (kind === 'http' && (status === 429 || (status ?? 0) >= 500)),
    options?: { cause?: unknown },
  ) {
    super(`${url}: ${message}`, options);
  }
}

/** All attempts of a request failed; `attempts` holds each attempt's error, last one last. */
export class OpenAIRetriesExhaustedError extends ArpoError {
  override name = 'OpenAIRetriesExhaustedError';

  constructor(
    /** Every attempt's error in order. */
    readonly attempts: readonly OpenAIServerError[],
  ) {
    const last = attempts[attempts.length - 1];
    super(`completion request failed after ${attempts.length} attempt(s); last error: ${last?.message ?? 'none'}`, { cause: last });
  }
}
