import { createOpenApiHandler } from '../../lib/http/handlers/openapi';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/openapi.ts). */
export const handler = createOpenApiHandler(getServices());
