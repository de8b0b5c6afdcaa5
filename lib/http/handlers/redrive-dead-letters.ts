import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import type { Services } from '../../services';

/**
 * POST /api/dead-letters/redrive: moves the dead-letter queue's messages back to the jobs queue
 * (SQS's StartMessageMoveTask) and answers how many moved. Each moved message is delivered with a
 * fresh receive count; a job that already ended is not run again by it (the consumer is idempotent
 * per job): retry such a job with POST /api/jobs/{id}/retry.
 */
export function createRedriveHandler({ queue, logger, auth }: Pick<Services, 'queue' | 'logger' | 'auth'>) {
  return httpHandler(
    async () => {
      const { moved } = await queue.redrive();
      logger.info({ event: 'redrive', moved }, 'dead-letter queue moved back to the jobs queue');
      return json(200, { moved });
    },
    { logger, auth },
  );
}
