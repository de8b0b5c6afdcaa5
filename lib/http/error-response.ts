import type middy from '@middy/core';
import type { Logger } from '../logger';
import { answerFor } from './error-map';
import { json } from './json-response';

interface ErrorResponseOptions {
  logger?: Pick<Logger, 'error'>;
}

const defaults: Required<ErrorResponseOptions> = {
  logger: { error: () => undefined },
};

interface Exposable {
  statusCode?: number;
  expose?: boolean;
  code?: unknown;
  headers?: Record<string, string>;
  message: string;
}

/**
 * The one place errors become responses: `{ error: { code, message } }`. A domain error is answered
 * as the error map (error-map.ts) says; an HTTP-level error of lib/http (ApiError: a malformed body,
 * a bad parameter) as it says; anything else is logged and answered with a plain 500, so no stack,
 * path or AWS error reaches a client.
 */
export function errorResponse(opts: ErrorResponseOptions = {}): middy.MiddlewareObj {
  const options = { ...defaults, ...opts };

  const errorResponseOnError: middy.MiddlewareFn = async (request) => {
    if (request.response !== undefined) return;
    const mapped = answerFor(request.error);
    if (mapped) {
      if (mapped.status >= 500)
        options.logger.error({ err: request.error, status: mapped.status }, mapped.message);
      request.response = json(
        mapped.status,
        { error: { code: mapped.code, message: mapped.message, ...mapped.details } },
        mapped.headers,
      );
      return;
    }
    const error = (request.error ?? new Error('unknown error')) as Exposable;
    const status = error.statusCode;
    if (status && error.expose) {
      const code = typeof error.code === 'string' ? error.code : codeFor(status);
      if (status >= 500) options.logger.error({ err: request.error, status }, error.message);
      request.response = json(status, { error: { code, message: error.message } }, error.headers);
      return;
    }
    options.logger.error({ err: request.error }, 'unhandled error');
    request.response = json(500, { error: { code: 'internal_error', message: 'internal error' } });
  };

  return { onError: errorResponseOnError };
}

function codeFor(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'too_many_requests';
  return status >= 500 ? 'unavailable' : 'bad_request';
}
