import { notFound } from '../../lib/http/api-error';
import type { HttpEvent } from '../../lib/http/http-handler';
import { httpHandler } from '../../lib/http/http-handler';
import { json } from '../../lib/http/json-response';
import { jobIdParam } from '../../lib/http/params';
import { jobView } from '../../lib/jobs/job-view';
import { getServices } from '../../lib/services';
import type { Services } from '../../lib/services';

/** GET /api/jobs/{id}. */
export function createGetJobHandler({ store, logger }: Pick<Services, 'store' | 'logger'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = jobIdParam(event);
      const job = await store.get(id);
      if (!job) throw notFound('job_not_found', `no job ${id}`);
      return json(200, jobView(job));
    },
    { logger },
  );
}

export const handler = createGetJobHandler(getServices());
