import { createHealthHandler } from '../../lib/http/handlers/health';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/health.ts). */
export const handler = createHealthHandler(getServices());
