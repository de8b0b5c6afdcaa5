import { isDeepStrictEqual } from 'node:util';
import { badRequest, conflict, notFound } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { idempotencyKeyHeader, intQuery } from '../params';
import { newJobId } from '../../jobs/job-id';
import type { JobRecord } from '../../jobs/job-record';
import { isFinal } from '../../jobs/job-record';
import { jobLinks, jobView } from '../../jobs/job-view';
import { submitJob } from '../../jobs/job-lifecycle';
import { MAX_WAIT_SECONDS, waitForJob } from '../../jobs/wait-for-job';
import type { Services } from '../../services';

function readBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_body', 'body must be a JSON object such as { "input": { ... } }');
  }
  const extra = Object.keys(body).find((key) => key !== 'input');
  if (extra)
    throw badRequest('invalid_body', `body.${extra.slice(0, 40)} is not allowed; send { "input": { ... } }`);
  const input = (body as { input?: unknown }).input ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('invalid_input', 'input must be a JSON object');
  }
  return input as Record<string, unknown>;
}

/**
 * POST /api/tasks/{task}: validates the input, writes a `queued` job record, sends it to SQS and
 * answers 202. With `?wait=N` it answers 200 with the finished job if it finishes within N seconds.
 */
export function createSubmitJobHandler({ store, queue, catalogue, config, logger, backlog, auth }: Services) {
  return httpHandler(
    async (event: HttpEvent) => {
      const taskName = event.pathParameters?.task ?? '';
      if (!catalogue.get(taskName))
        throw notFound('unknown_task', `no task named "${taskName.slice(0, 60)}"`);
      const input = readBody(event.parsedBody);
      const waitSeconds = intQuery(event, 'wait', 0, MAX_WAIT_SECONDS) ?? 0;
      const idempotencyKey = idempotencyKeyHeader(event);
      catalogue.prepare(taskName, input);
      await backlog.check();

      const record: JobRecord = {
        id: newJobId(),
        task: taskName,
        input,
        status: 'queued',
        attempts: 0,
        queuedAt: new Date().toISOString(),
      };
      const { job, created } = await submitJob({ store, queue }, record, { idempotencyKey });
      const log = logger.child({ jobId: job.id });
      if (!created) {
        if (job.task !== taskName || !isDeepStrictEqual(job.input, input)) {
          throw conflict(
            'idempotency_key_reused',
            'this Idempotency-Key was used for a different task or input',
          );
        }
        log.info({ event: 'submit', replay: true }, 'repeated submit answered with the existing job');
      } else {
        backlog.sent();
        log.info({ event: 'submit', task: taskName }, 'job submitted');
        log.info({ event: 'enqueue' }, 'job sent to the queue');
      }

      const latest = waitSeconds > 0 ? await waitForJob(store, job.id, waitSeconds * 1000) : job;
      if (latest && isFinal(latest.status)) return json(200, jobView(latest));
      const headers = {
        location: jobLinks(job.id).self,
        ...(created ? {} : { 'idempotent-replayed': 'true' }),
      };
      return json(
        202,
        { jobId: job.id, status: latest?.status ?? job.status, links: jobLinks(job.id) },
        headers,
      );
    },
    { logger, auth, body: { maxBytes: config.maxBodyBytes } },
  );
}
