import type { Logger } from '../../logger';
import type { JobStore } from '../job-store';

/**
 * How long a running attempt keeps its message's visibility as received before the lease cuts it.
 * A job that ends sooner (most short jobs) costs no ChangeMessageVisibility call at all; a runner
 * that dies within it leaves its message to the queue's visibility timeout, as any received message
 * waiting for its turn is.
 */
export const LEASE_GRACE_MS = 250;

export interface LeaseOptions {
  store: Pick<JobStore, 'updateClaim'>;
  /**
   * Keeps the delivery's message from the queue for `seconds` more (SQS: its visibility); absent,
   * the message keeps the visibility it was received with.
   */
  keepMessage?: (seconds: number) => Promise<void>;
  jobId: string;
  attempt: number;
  leaseMs: number;
  /** Time before the first visibility cut (default {@link LEASE_GRACE_MS}). */
  graceMs?: number;
  /**
   * No renewal after this time (epoch ms): the attempt's timeout, its kill grace and a margin. The
   * runner always ends a run by then; if it did not, the lease runs out and the job is taken over.
   */
  renewUntil?: number;
  logger: Pick<Logger, 'warn'>;
}

export interface Lease {
  /** Stops renewing; resolves once no renewal is in flight (so a later visibility change wins). */
  stop(): Promise<void>;
}

/**
 * Holds a running attempt's job for its runner, as sqs-consumer's heartbeat does: the message's
 * visibility is cut to the lease once the attempt has run for `graceMs`, and renewed with the claim's
 * lease every third of it. While the runner lives, nobody else runs the job; once it dies, the
 * message is visible again and the claim expired within one lease, so the next delivery takes the
 * job over in seconds, not after the queue's visibility timeout.
 */
export function holdLease(options: LeaseOptions): Lease {
  const { store, keepMessage, jobId, attempt, leaseMs, logger } = options;
  const seconds = Math.ceil(leaseMs / 1000);
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const tracked = work.catch((error: unknown) => {
      logger.warn({ event: 'lease-renew-failed', err: error }, 'could not renew the lease of a running job');
    });
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };
  const cut = keepMessage
    ? setTimeout(() => track(keepMessage(seconds)), options.graceMs ?? LEASE_GRACE_MS)
    : undefined;
  cut?.unref();
  const timer = setInterval(() => {
    if (options.renewUntil !== undefined && Date.now() > options.renewUntil) {
      clearInterval(timer);
      logger.warn(
        { event: 'lease-ended', jobId, attempt },
        'the attempt ran past its timeout: its lease is no longer renewed',
      );
      return;
    }
    track(store.updateClaim(jobId, attempt, { leaseUntil: new Date(Date.now() + leaseMs).toISOString() }));
    if (keepMessage) track(keepMessage(seconds));
  }, leaseMs / 3);
  timer.unref();
  return {
    async stop() {
      clearTimeout(cut);
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
