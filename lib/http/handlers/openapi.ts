import { version } from '../../../package.json';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { openApiDocument } from '../openapi';
import type { Services } from '../../services';

/**
 * GET /api/openapi.json: the API's OpenAPI 3.1 description, with this deployment's catalogue. Behind
 * a token when tokens are configured, like GET /api/tasks: it lists the catalogue.
 */
export function createOpenApiHandler({
  catalogue,
  logger,
  auth,
}: Pick<Services, 'catalogue' | 'logger' | 'auth'>) {
  const document = openApiDocument({ catalogue, version });
  return httpHandler(async (_event: HttpEvent) => json(200, document), { logger, auth });
}
