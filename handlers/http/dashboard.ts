import { createDashboardHandler } from '../../lib/http/handlers/dashboard';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/dashboard.ts). */
export const handler = createDashboardHandler(getServices());
