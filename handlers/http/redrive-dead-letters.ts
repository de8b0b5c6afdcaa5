import { createRedriveHandler } from '../../lib/http/handlers/redrive-dead-letters';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/redrive-dead-letters.ts). */
export const handler = createRedriveHandler(getServices());
