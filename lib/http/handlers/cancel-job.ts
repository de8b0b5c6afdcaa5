import os from 'node:os';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { jobIdParam } from '../params';
import { cancelJob, tellFinished } from '../../jobs/job-lifecycle';
import { isFinal } from '../../jobs/job-record';
import { jobView } from '../../jobs/job-view';
import { waitForJob } from '../../jobs/wait-for-job';
import type { JobMetrics } from '../../jobs/job-metrics';
import type { Services } from '../../services';

/** How long DELETE waits for a running job's process group to be stopped before answering 202. */
const STOP_WAIT_MS = 5000;

/**
 * DELETE /api/jobs/{id}: a queued or scheduled job is claimed for cancellation, so no worker ever starts it; a
 * running job gets a cancel request that its worker acts on by killing the whole process group.
 */
export function createCancelJobHandler({
  store,
  callbacks,
  logger,
  auth,
  metrics,
}: Pick<Services, 'store' | 'callbacks' | 'logger' | 'auth'> & {
  /** A job cancelled before it started finishes here: its metrics are written here (deployed). */
  metrics?: Promise<JobMetrics | undefined>;
}) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = jobIdParam(event);
      const cancel = await cancelJob(store, id, `cancel:${os.hostname()}:${process.pid}`);
      const log = logger.child({ jobId: id });
      if (cancel.outcome === 'cancelled') {
        log.info({ event: 'cancel', was: 'waiting' }, 'job cancelled before it started');
        // The job's message still comes back to the consumer, which announces it if this send failed.
        const listeners = { store, callbacks, metrics: await metrics };
        await tellFinished(listeners, cancel.job, log, cancel).catch((error: unknown) => {
          log.error({ event: 'callback-unsent', err: error }, 'could not queue the completion callback yet');
        });
        return json(200, jobView(cancel.job));
      }
      log.info({ event: 'cancel', was: 'running' }, 'cancel requested');
      const latest = (await waitForJob(store, id, STOP_WAIT_MS)) ?? cancel.job;
      if (isFinal(latest.status)) return json(200, jobView(latest));
      return json(202, { ...jobView(latest), cancelRequested: true });
    },
    { logger, auth },
  );
}
