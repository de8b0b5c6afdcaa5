import { resendUnfinished } from '../jobs/job-lifecycle';
import type { JobStore } from '../store/job-store';
import type { JobQueue } from '../queue/job-queue';
/**
 * A freshly started in-memory ElasticMQ has lost the messages of the jobs that were queued or
 * running when the previous local stack stopped. Sends them again (the consumer is idempotent per
 * job) and ends the leases of the attempts that stack's stop killed, so nothing stays `queued` or
 * `running` forever. Only for a queue this stack started itself: a shared queue still has them.
 */
export function requeueOrphans(store: JobStore, queue: JobQueue): Promise<number> {
  return resendUnfinished({ store, queue });
}
