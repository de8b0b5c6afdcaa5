import type { ScheduledEvent } from 'aws-lambda';
import type { Services } from '../services';
import { reconcileQueue } from './reconcile-queue';
import type { Reconciled } from './reconcile-queue';

/**
 * The deployed reconciler, run every minute by a schedule (serverless.yml `reconcileQueue`): jobs
 * whose message the jobs queue lost are sent again, those in its dead-letter queue failed saying so
 * (lib/jobs/reconcile-queue.ts), and changes the final counts missed are counted (the store's
 * settleCounts). Returns how many of each.
 */
export function createReconcileQueueHandler(
  { store, queue, callbacks, logger }: Pick<Services, 'store' | 'queue' | 'callbacks' | 'logger'>,
  options: { graceMs?: number } = {},
) {
  return async (_event?: ScheduledEvent): Promise<Reconciled & { counted: number }> => {
    const done = await reconcileQueue({ store, queue, callbacks, log: logger }, options);
    const { counted } = await store.settleCounts();
    if (counted > 0) {
      logger.warn(
        { event: 'reconcile', counted },
        'the final counts had missed changes (a write failed after a job changed): counted now, once each',
      );
    }
    if (done.sent > 0) {
      logger.warn(
        { event: 'reconcile', sent: done.sent },
        'the jobs queue had lost messages: waiting jobs sent again',
      );
    }
    if (done.deadLettered > 0) {
      logger.warn(
        { event: 'reconcile', deadLettered: done.deadLettered },
        'jobs whose message is in the dead-letter queue failed, saying so',
      );
    }
    return { ...done, counted };
  };
}
