import { createSystemInfoHandler } from '../../lib/http/handlers/system-info';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/system-info.ts). */
export const handler = createSystemInfoHandler(getServices());
