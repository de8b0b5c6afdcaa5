import { badRequest, conflict, notFound, unavailable } from '../../lib/http/api-error';
import type { HttpEvent } from '../../lib/http/http-handler';
import { httpHandler } from '../../lib/http/http-handler';
import { json } from '../../lib/http/json-response';
import { jobIdParam } from '../../lib/http/params';
import { JobNotFoundError, JobNotRetryableError } from '../../lib/jobs/job-errors';
import { retryJob } from '../../lib/jobs/job-lifecycle';
import { jobLinks, jobView } from '../../lib/jobs/job-view';
import { QueueUnavailableError } from '../../lib/queue/queue-errors';
import { getServices } from '../../lib/services';
import type { Services } from '../../lib/services';

const MAX_IDEMPOTENCY_KEY = 255;

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
      const idempotencyKey = event.headers?.['idempotency-key'];
      if (
        idempotencyKey !== undefined &&
        (idempotencyKey === '' || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
      ) {
        throw badRequest(
          'invalid_idempotency_key',
          `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
        );
      }
      let retried: Awaited<ReturnType<typeof retryJob>>;
      try {
        retried = await retryJob({ store, queue }, id, { idempotencyKey });
      } catch (error) {
        if (error instanceof JobNotFoundError) throw notFound('job_not_found', `no job ${id}`);
        if (error instanceof JobNotRetryableError) throw conflict('job_not_retryable', error.message);
        if (error instanceof QueueUnavailableError) {
          throw unavailable(
            'queue_unavailable',
            'the job queue is not reachable; nothing was queued, try again',
            error,
          );
        }
        throw error;
      }
      const { job, replayed } = retried;
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

export const handler = createRetryJobHandler(getServices());
