import type { ScheduledEvent } from 'aws-lambda';
import type { Services } from '../services';
import { reconcileQueue } from './reconcile-queue';
import type { Reconciled } from './reconcile-queue';

/**
 * The deployed reconciler, run every minute by a schedule (serverless.yml `reconcileQueue`): jobs
 * whose message the jobs queue lost are sent again, those in its dead-letter queue failed saying so
 * (lib/jobs/reconcile-queue.ts). Returns how many of each.
 */
export function createReconcileQueueHandler(
  { store, queue, callbacks, logger }: Pick<Services, 'store' | 'queue' | 'callbacks' | 'logger'>,
  options: { graceMs?: number } = {},
) {
  return async (_event?: ScheduledEvent): Promise<Reconciled> => {
    const done = await reconcileQueue({ store, queue, callbacks, log: logger }, options);
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
    return done;
  };
}
