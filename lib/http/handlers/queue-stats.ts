import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import type { Services } from '../../services';
import { computeQueueStats } from '../../stats/queue-stats';

/** GET /api/queue-stats: the original Express design's processPool object, plus queue depth, throughput and latency. */
export function createQueueStatsHandler({
  store,
  queue,
  config,
  logger,
  auth,
}: Pick<Services, 'store' | 'queue' | 'config' | 'logger' | 'auth'>) {
  return httpHandler(
    async (_event: HttpEvent) => {
      return json(200, await computeQueueStats({ store, queue, maxConcurrency: config.consumerConcurrency }));
    },
    { logger, auth },
  );
}
