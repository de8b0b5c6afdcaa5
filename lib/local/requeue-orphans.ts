import type { JobStore } from '../store/job-store';
import type { JobQueue } from '../queue/job-queue';

/**
 * A freshly started in-memory ElasticMQ has lost the messages of the jobs that were queued or
 * running when the previous local stack stopped. Sends them again (the consumer is idempotent per
 * job) and ends the leases of the attempts that stack's stop killed, so nothing stays `queued` or
 * `running` forever. Only for a queue this stack started itself: a shared queue still has them.
 */
export async function requeueOrphans(store: JobStore, queue: JobQueue): Promise<number> {
  let count = 0;
  for (const status of ['queued', 'running'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.list({ status, limit: 100, cursor });
      for (const job of page.jobs) {
        if (job.status === 'running') {
          await store.updateClaim(job.id, job.attempts, { leaseUntil: new Date(0).toISOString() });
        }
        await queue.send({ task: job.task, input: job.input, jobId: job.id });
        count += 1;
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return count;
}
