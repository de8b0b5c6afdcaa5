import { createGetJobHandler } from '../../lib/http/handlers/get-job';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/get-job.ts). */
export const handler = createGetJobHandler(getServices());
