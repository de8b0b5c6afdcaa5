import { createCancelJobHandler } from '../../lib/http/handlers/cancel-job';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/cancel-job.ts). */
export const handler = createCancelJobHandler(getServices());
