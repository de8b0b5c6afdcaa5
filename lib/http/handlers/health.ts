import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import type { Services } from '../../services';

type Part = 'ok' | 'error';

async function check(work: () => Promise<void>): Promise<Part> {
  try {
    await work();
    return 'ok';
  } catch {
    return 'error';
  }
}

/** GET /api/health: 200 when SQS and the job store really answer, 503 naming the failing part. */
export function createHealthHandler({ queue, store, logger }: Pick<Services, 'queue' | 'store' | 'logger'>) {
  return httpHandler(
    async (_event: HttpEvent) => {
      const [sqs, storePart] = await Promise.all([check(() => queue.ping()), check(() => store.probe())]);
      if (sqs === 'ok' && storePart === 'ok') return json(200, { sqs, store: storePart });
      const failing = [sqs === 'error' && 'sqs', storePart === 'error' && 'store']
        .filter(Boolean)
        .join(' and ');
      logger.warn({ event: 'health', sqs, store: storePart }, `unhealthy: ${failing}`);
      return json(503, {
        sqs,
        store: storePart,
        error: { code: 'unhealthy', message: `${failing} not answering` },
      });
    },
    { logger, auth: 'public' },
  );
}
