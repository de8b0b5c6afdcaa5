import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { unavailable } from '../api-error';
import { json } from '../json-response';
import { QueueUnavailableError } from '../../queue/queue-errors';
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
