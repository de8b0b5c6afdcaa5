import { createGetJobOutputHandler } from '../../lib/http/handlers/get-job-output';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/get-job-output.ts). */
export const handler = createGetJobOutputHandler(getServices());
