import { createFireSchedulesHandler } from '../../lib/schedules/fire-schedules-handler';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/schedules/fire-schedules-handler.ts). */
export const handler = createFireSchedulesHandler(getServices());
