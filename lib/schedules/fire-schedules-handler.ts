import type { ScheduledEvent } from 'aws-lambda';
import type { Services } from '../services';
import { fireDueSchedules } from './fire-schedules';
import type { Fired } from './fire-schedules';

/**
 * The deployed scheduler, run every minute by an EventBridge rule (serverless.yml `fireSchedules`):
 * each schedule whose fire time has come makes its job (lib/schedules/fire-schedules.ts). A fire time
 * starts within a minute of its time; two invocations at once make one job per fire time.
 */
export function createFireSchedulesHandler({
  schedules,
  store,
  queue,
  catalogue,
  logger,
}: Pick<Services, 'schedules' | 'store' | 'queue' | 'catalogue' | 'logger'>) {
  return async (_event?: ScheduledEvent): Promise<Fired> =>
    fireDueSchedules({ schedules, store, queue, catalogue, log: logger });
}
