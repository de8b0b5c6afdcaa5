import { createNoRouteHandler } from '../../lib/http/handlers/no-route';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/no-route.ts). */
export const handler = createNoRouteHandler(getServices());
