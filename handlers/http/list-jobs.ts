import { createListJobsHandler } from '../../lib/http/handlers/list-jobs';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/list-jobs.ts). */
export const handler = createListJobsHandler(getServices());
