import { ApiError, notFound } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { allowedMethods } from '../routes';
import type { Services } from '../../services';

/**
 * The HTTP API's `$default` route: whatever no other route takes. 405 with `Allow` when the path
 * exists with other methods, 404 otherwise, both in the API's error shape (never the gateway's or
 * the emulator's own page, which would list every route).
 */
export function createNoRouteHandler({ logger, auth }: Pick<Services, 'logger' | 'auth'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const method = event.requestContext?.http?.method ?? 'GET';
      const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
      const allowed = allowedMethods(path);
      if (allowed.length === 0) throw notFound('route_not_found', `no route ${path.slice(0, 100)}`);
      throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${path.slice(0, 100)}`, {
        headers: { allow: allowed.join(', ') },
      });
    },
    { logger, auth },
  );
}
