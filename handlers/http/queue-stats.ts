import type { HttpEvent } from '../../lib/http/http-handler';
import { httpHandler } from '../../lib/http/http-handler';
import { unavailable } from '../../lib/http/api-error';
import { json } from '../../lib/http/json-response';
import { QueueUnavailableError } from '../../lib/queue/queue-errors';
import { getServices } from '../../lib/services';
import type { Services } from '../../lib/services';
import { computeQueueStats } from '../../lib/stats/queue-stats';

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
      try {
        return json(
          200,
          await computeQueueStats({ store, queue, maxConcurrency: config.consumerConcurrency }),
        );
      } catch (error) {
        if (error instanceof QueueUnavailableError) {
          throw unavailable(
            'queue_unavailable',
            'the job queue is not reachable; queue statistics are unavailable',
            error,
          );
        }
        throw error;
      }
    },
    { logger, auth },
  );
}

export const handler = createQueueStatsHandler(getServices());
