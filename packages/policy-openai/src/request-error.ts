import { ArpoError } from '@arpo/core';
import type { ErrorResponse } from './wire-types.js';

/** A request the server rejects, with its HTTP status and the OpenAI-style error body. */
export class RequestError extends ArpoError {
  override name = 'RequestError';

  constructor(
    /** HTTP status (400 invalid, 404 unknown model or route, 413 too large, 500 generation failed). */
    readonly status: number,
    message: string,
    /** The offending request parameter, when there is one. */
    readonly param: string | null,
    /** OpenAI error type. */
    readonly type = status >= 500 ? 'InternalServerError' : 'BadRequestError',
  ) {
    super(message);
  }

  /** The JSON body sent to the client. */
  toBody(): ErrorResponse {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }
}
