import { badRequest, notFound } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { intQuery, jobIdParam, optionalQuery } from '../params';
import { readJobOutput, waitForOutput } from '../../jobs/job-output';
import { MAX_WAIT_SECONDS } from '../../jobs/wait-for-job';
import type { OutputStream } from '../../process/run-process';
import type { Services } from '../../services';

const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * GET /api/jobs/{id}/output?stream=stdout|stderr&offset=N&wait=S: the job's output from byte N on,
 * while it runs (what it has written so far, at most 500 ms old) and once it has ended. With
 * `wait` it answers as soon as there is text past N or the job ends, at most S seconds (≤ 25).
 */
export function createGetJobOutputHandler({
  store,
  logger,
  auth,
}: Pick<Services, 'store' | 'logger' | 'auth'>) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = jobIdParam(event);
      const stream = optionalQuery(event, 'stream', 'stdout or stderr') ?? 'stdout';
      if (!STREAMS.includes(stream as OutputStream)) {
        throw badRequest('invalid_query', 'stream must be stdout or stderr');
      }
      const offset = intQuery(event, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
      const waitSeconds = intQuery(event, 'wait', 0, MAX_WAIT_SECONDS) ?? 0;
      const job = await store.get(id);
      if (!job) throw notFound('job_not_found', `no job ${id}`);
      const page =
        waitSeconds > 0
          ? await waitForOutput(store, job, stream as OutputStream, offset, waitSeconds * 1000)
          : await readJobOutput(store, job, stream as OutputStream, offset);
      return json(200, page);
    },
    { logger, auth },
  );
}
