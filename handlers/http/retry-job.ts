import { createRetryJobHandler } from '../../lib/http/handlers/retry-job';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/retry-job.ts). */
export const handler = createRetryJobHandler(getServices());
