import type { ScheduledEvent } from 'aws-lambda';
import type { Services } from '../services';
import { reconcileQueue } from './reconcile-queue';

/**
 * The deployed reconciler, run every minute by a schedule (serverless.yml `reconcileQueue`): jobs
 * whose message the jobs queue lost are sent again (lib/jobs/reconcile-queue.ts). Returns how many.
 */
export function createReconcileQueueHandler(
  { store, queue, logger }: Pick<Services, 'store' | 'queue' | 'logger'>,
  options: { graceMs?: number } = {},
) {
  return async (_event?: ScheduledEvent): Promise<{ sent: number }> => {
    const sent = await reconcileQueue({ store, queue }, options);
    if (sent > 0) {
      logger.warn({ event: 'reconcile', sent }, 'the jobs queue had lost messages: waiting jobs sent again');
    }
    return { sent };
  };
}
