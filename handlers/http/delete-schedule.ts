import { createDeleteScheduleHandler } from '../../lib/http/handlers/schedules';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/schedules.ts). */
export const handler = createDeleteScheduleHandler(getServices());
