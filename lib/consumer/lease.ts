import type { Logger } from '../logger';
import type { JobQueue } from '../queue/job-queue';
import type { JobStore } from '../store/job-store';

export interface LeaseOptions {
  store: Pick<JobStore, 'updateClaim'>;
  queue?: Pick<JobQueue, 'changeVisibility'>;
  jobId: string;
  attempt: number;
  receiptHandle: string;
  leaseMs: number;
  logger: Pick<Logger, 'warn'>;
}

export interface Lease {
  /** Stops renewing; resolves once no renewal is in flight (so a later visibility change wins). */
  stop(): Promise<void>;
}

/**
 * Holds a running attempt's job for its runner, as sqs-consumer's heartbeat does: the message's
 * visibility is cut to the lease at once and renewed with the claim's lease every third of it. While
 * the runner lives, nobody else runs the job; once it dies, the message is visible again and the
 * claim expired within one lease, so the next delivery takes the job over in seconds, not after the
 * queue's visibility timeout.
 */
export function holdLease(options: LeaseOptions): Lease {
  const { store, queue, jobId, attempt, receiptHandle, leaseMs, logger } = options;
  const seconds = Math.ceil(leaseMs / 1000);
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const tracked = work.catch((error: unknown) => {
      logger.warn({ event: 'lease-renew-failed', err: error }, 'could not renew the lease of a running job');
    });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };
  if (queue) track(queue.changeVisibility(receiptHandle, seconds));
  const timer = setInterval(() => {
    track(store.updateClaim(jobId, attempt, { leaseUntil: new Date(Date.now() + leaseMs).toISOString() }));
    if (queue) track(queue.changeVisibility(receiptHandle, seconds));
  }, leaseMs / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
