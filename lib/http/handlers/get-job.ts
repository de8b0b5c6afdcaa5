import { notFound } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { intQuery, jobIdParam } from '../params';
import { isFinal } from '../../jobs/job-record';
import { etaOf } from '../../jobs/eta';
import { jobView } from '../../jobs/job-view';
import { MAX_WAIT_SECONDS, waitForJob } from '../../jobs/wait-for-job';
import type { Services } from '../../services';

/**
 * GET /api/jobs/{id}. With `?wait=N` (N ≤ 25) it answers when the job finishes or after N seconds,
 * whichever comes first, so a client need not poll hard; the wait costs the server no reads.
 */
export function createGetJobHandler({
  store,
  logger,
  auth,
  config,
  catalogue,
}: Pick<Services, 'store' | 'logger' | 'auth' | 'config' | 'catalogue'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = jobIdParam(event);
      const waitSeconds = intQuery(event, 'wait', 0, MAX_WAIT_SECONDS) ?? 0;
      let job = await store.get(id);
      if (!job) throw notFound('job_not_found', `no job ${id}`);
      if (waitSeconds > 0 && !isFinal(job.status)) {
        job = (await waitForJob(store, id, waitSeconds * 1000)) ?? job;
      }
      // A waiting job's ETA, as the queue stands now (the jobs still ahead of it).
      const waiting = job.status === 'queued' || job.status === 'scheduled';
      const perKey = catalogue.get(job.task)?.concurrency.perKey;
      const slots = config.consumerConcurrency;
      const eta = waiting ? await etaOf({ store, slots }, job, { perKey }) : undefined;
      return json(200, jobView(job, eta));
    },
    { logger, auth },
  );
}
