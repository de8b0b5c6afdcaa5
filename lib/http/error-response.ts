import type middy from '@middy/core';
import type { Logger } from '../logger';
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
 * The one place errors become responses: `{ error: { code, message } }`. Only errors marked
 * `expose` (all 4xx, and the 5xx we raise on purpose) show their message; anything else is logged
 * and answered with a plain 500, so no stack, path or AWS error reaches a client.
 */
export function errorResponse(opts: ErrorResponseOptions = {}): middy.MiddlewareObj {
  const options = { ...defaults, ...opts };

  const errorResponseOnError: middy.MiddlewareFn = async (request) => {
    if (request.response !== undefined) return;
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
