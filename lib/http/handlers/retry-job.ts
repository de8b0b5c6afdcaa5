import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { idempotencyKeyHeader, jobIdParam } from '../params';
import { retryJob } from '../../jobs/job-lifecycle';
import { jobLinks, jobView } from '../../jobs/job-view';
import type { Services } from '../../services';

/**
 * POST /api/jobs/{id}/retry: a failed, timed-out or cancelled job runs again as its next attempt
 * (202); any other status is 409. A repeated call with the same Idempotency-Key answers the job it
 * queued, without queuing it again.
 */
export function createRetryJobHandler({
  store,
  queue,
  logger,
  auth,
}: Pick<Services, 'store' | 'queue' | 'logger' | 'auth'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = jobIdParam(event);
      const idempotencyKey = idempotencyKeyHeader(event);
      const { job, replayed } = await retryJob({ store, queue }, id, { idempotencyKey });
      logger
        .child({ jobId: id })
        .info({ event: 'retry-on-demand', replayed, attempt: job.attempts + 1 }, 'job queued again');
      return json(202, jobView(job), {
        location: jobLinks(id).self,
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
    },
    { logger, auth },
  );
}
