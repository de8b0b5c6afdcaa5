import { createSubmitJobHandler } from '../../lib/http/handlers/submit-job';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/submit-job.ts). */
export const handler = createSubmitJobHandler(getServices());
