import { badRequest } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { intQuery, optionalQuery } from '../params';
import { isJobId } from '../../jobs/job-id';
import { isJobStatus, JOB_STATUSES } from '../../jobs/job-record';
import { jobView } from '../../jobs/job-view';
import { concurrencyKeyProblem } from '../../jobs/concurrency-keys';
import type { Services } from '../../services';

/** GET /api/jobs?status=&concurrencyKey=&limit=&cursor=: newest first, one page at a time. */
export function createListJobsHandler({ store, logger, auth }: Pick<Services, 'store' | 'logger' | 'auth'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const statuses = `one of ${JOB_STATUSES.join(', ')}`;
      const status = optionalQuery(event, 'status', statuses);
      if (status !== undefined && !isJobStatus(status)) {
        throw badRequest('invalid_query', `status must be ${statuses}`);
      }
      const cursor = optionalQuery(event, 'cursor', 'the nextCursor of the page before');
      if (cursor !== undefined && !isJobId(cursor)) throw badRequest('invalid_query', 'cursor is not valid');
      const concurrencyKey = optionalQuery(event, 'concurrencyKey', 'a concurrency key');
      const keyProblem = concurrencyKey === undefined ? undefined : concurrencyKeyProblem(concurrencyKey);
      if (keyProblem) throw badRequest('invalid_query', keyProblem);
      const limit = intQuery(event, 'limit', 1, 100) ?? 20;
      const page = await store.list({ status, concurrencyKey, limit, cursor });
      const query = {
        ...(status ? { status } : {}),
        ...(concurrencyKey !== undefined ? { concurrencyKey } : {}),
        limit: String(limit),
      };
      const next = page.nextCursor
        ? `/api/jobs?${new URLSearchParams({ ...query, cursor: page.nextCursor })}`
        : null;
      return json(200, {
        jobs: page.jobs.map((job) => jobView(job)),
        nextCursor: page.nextCursor ?? null,
        links: { next },
      });
    },
    { logger, auth },
  );
}
