import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import type { Services } from '../../services';
import { renderPrometheus } from '../../stats/prometheus';
import { computeQueueStats } from '../../stats/queue-stats';

/** GET /api/metrics: the queue statistics in Prometheus' text format, for a scraper. */
export function createMetricsHandler({
  store,
  queue,
  config,
  logger,
  auth,
}: Pick<Services, 'store' | 'queue' | 'config' | 'logger' | 'auth'>) {
  return httpHandler(
    async (_event: HttpEvent) => ({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
      body: renderPrometheus(
        ...(await Promise.all([
          computeQueueStats({ store, queue, maxConcurrency: config.consumerConcurrency }),
          store.finishedTotals(),
        ])),
      ),
    }),
    { logger, auth },
  );
}
