import { createMetricsHandler } from '../../lib/http/handlers/metrics';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/metrics.ts). */
export const handler = createMetricsHandler(getServices());
