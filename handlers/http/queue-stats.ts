import { createQueueStatsHandler } from '../../lib/http/handlers/queue-stats';
import { getServices } from '../../lib/services';

/** The entry serverless.yml names: wiring only (the handler is lib/http/handlers/queue-stats.ts). */
export const handler = createQueueStatsHandler(getServices());
