import { isDeepStrictEqual } from 'node:util';
import { badRequest, conflict, notFound } from '../api-error';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { idempotencyKeyHeader, intQuery } from '../params';
import { newJobId } from '../../jobs/job-id';
import { checkCallbackTarget, parseCallbackUrl } from '../../callbacks/callback-target';
import type { CallbackState, JobRecord } from '../../jobs/job-record';
import { isFinal } from '../../jobs/job-record';
import { jobLinks, jobView } from '../../jobs/job-view';
import { submitJob } from '../../jobs/job-lifecycle';
import { etaOf } from '../../jobs/eta';
import { DeadlineUnreachableError } from '../../jobs/job-errors';
import { callbacksEnabled } from '../../config';
import { concurrencyKeyProblem } from '../../jobs/concurrency-keys';
import { MAX_WAIT_SECONDS, waitForJob } from '../../jobs/wait-for-job';
import type { Services } from '../../services';

/** A job may be delayed by at most a day (`delaySeconds`, or a `runAt` at most this far ahead). */
export const MAX_JOB_DELAY_SECONDS = 86_400;
const BODY_FIELDS = ['input', 'delaySeconds', 'runAt', 'callback', 'startBy', 'deadline', 'concurrencyKey'];
/** An ISO 8601 time with its zone (Z or ±hh:mm), as JSON Schema's date-time. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A time field of the body (ISO 8601 with its zone), as ms; undefined when absent. */
function timeField(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' && ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw badRequest(
      'invalid_body',
      `${name} must be an ISO 8601 time with its zone, such as 2026-12-02T10:00:00Z`,
    );
  }
  return ms;
}

/**
 * The times a submit may set besides when to run it: `startBy` (not started by then, the job ends
 * `expired` and never runs) and `deadline` (finish-by, held against the ETA). Both ahead of now,
 * and `startBy` not before the job's own time.
 */
function readLimits(
  fields: Record<string, unknown>,
  now: number,
  runAtMs: number | undefined,
): { startBy?: string; deadline?: string } {
  const startBy = timeField(fields, 'startBy');
  const deadline = timeField(fields, 'deadline');
  if (startBy !== undefined && startBy <= Math.max(now, runAtMs ?? now)) {
    throw badRequest('invalid_body', 'startBy must be later than now and than the job’s runAt');
  }
  if (deadline !== undefined && deadline <= now)
    throw badRequest('invalid_body', 'deadline must be later than now');
  return {
    ...(startBy !== undefined ? { startBy: new Date(startBy).toISOString() } : {}),
    ...(deadline !== undefined ? { deadline: new Date(deadline).toISOString() } : {}),
  };
}

/**
 * The submit body: the task's input, when to run it (undefined: as soon as a slot is free), its
 * limits, its concurrency key, and the completion callback's URL, if any (checked by the handler).
 */
function readBody(
  body: unknown,
  now: number,
): {
  input: Record<string, unknown>;
  runAt?: string;
  callbackUrl?: unknown;
  startBy?: string;
  deadline?: string;
  concurrencyKey?: string;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_body', 'body must be a JSON object such as { "input": { ... } }');
  }
  const extra = Object.keys(body).find((key) => !BODY_FIELDS.includes(key));
  if (extra) {
    throw badRequest(
      'invalid_body',
      `body.${extra.slice(0, 40)} is not allowed; send { "input": { ... } }, with delaySeconds or runAt to run it later`,
    );
  }
  const fields = body as Record<string, unknown>;
  const { callback } = fields;
  if (
    callback !== undefined &&
    (typeof callback !== 'object' ||
      callback === null ||
      Array.isArray(callback) ||
      Object.keys(callback).some((key) => key !== 'url'))
  ) {
    throw badRequest('invalid_callback', 'callback must be { "url": "https://..." }');
  }
  const input = fields.input ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('invalid_input', 'input must be a JSON object');
  }
  const { delaySeconds, runAt, concurrencyKey } = fields;
  const keyProblem = concurrencyKey === undefined ? undefined : concurrencyKeyProblem(concurrencyKey);
  if (keyProblem) throw badRequest('invalid_body', keyProblem);
  if (delaySeconds !== undefined && runAt !== undefined) {
    throw badRequest('invalid_body', 'give delaySeconds or runAt, not both');
  }
  let runAtMs: number | undefined;
  if (delaySeconds !== undefined) {
    if (
      !Number.isInteger(delaySeconds) ||
      (delaySeconds as number) < 0 ||
      (delaySeconds as number) > MAX_JOB_DELAY_SECONDS
    ) {
      throw badRequest('invalid_body', `delaySeconds must be an integer from 0 to ${MAX_JOB_DELAY_SECONDS}`);
    }
    runAtMs = now + (delaySeconds as number) * 1000;
  }
  if (runAt !== undefined) {
    runAtMs = timeField(fields, 'runAt')!;
    if (runAtMs > now + MAX_JOB_DELAY_SECONDS * 1000) {
      throw badRequest('invalid_body', 'runAt must be at most 24 hours ahead');
    }
  }
  // A time that has come (delaySeconds 0, a runAt in the past) runs as soon as a slot is free.
  return {
    input: input as Record<string, unknown>,
    ...readLimits(fields, now, runAtMs),
    ...(runAtMs !== undefined && runAtMs > now ? { runAt: new Date(runAtMs).toISOString() } : {}),
    ...(callback === undefined ? {} : { callbackUrl: (callback as { url?: unknown }).url }),
    ...(concurrencyKey === undefined ? {} : { concurrencyKey: concurrencyKey as string }),
  };
}

/**
 * POST /api/tasks/{task}: validates the input, writes a `queued` job record (`scheduled` with
 * `delaySeconds` or `runAt`), sends it to SQS and answers 202. With `?wait=N` it answers 200 with the finished job if it finishes within N seconds.
 */
export function createSubmitJobHandler({ store, queue, catalogue, config, logger, backlog, auth }: Services) {
  return httpHandler(
    async (event: HttpEvent) => {
      const taskName = event.pathParameters?.task ?? '';
      const task = catalogue.get(taskName);
      if (!task) throw notFound('unknown_task', `no task named "${taskName.slice(0, 60)}"`);
      const now = Date.now();
      const { input, runAt, callbackUrl, startBy, deadline, concurrencyKey } = readBody(
        event.parsedBody,
        now,
      );
      const waitSeconds = intQuery(event, 'wait', 0, MAX_WAIT_SECONDS) ?? 0;
      const idempotencyKey = idempotencyKeyHeader(event);
      catalogue.prepare(taskName, input);
      let callback: CallbackState | undefined;
      if (callbackUrl !== undefined) {
        if (!callbacksEnabled(config)) {
          throw badRequest(
            'callbacks_unavailable',
            'this service has no CALLBACK_SECRET (or CALLBACK_SECRET_PARAMETER) to sign callbacks with',
          );
        }
        const url = parseCallbackUrl(callbackUrl);
        await checkCallbackTarget(url, { allowInternal: config.callbackAllowInternal });
        callback = { url: url.href, status: 'pending', attempts: 0, lastError: null };
      }
      await backlog.check();
      // The ETA as the queue stands: every queued job is ahead of a new one (a delayed one waits
      // for its time). A deadline it cannot meet is refused before anything is written.
      const slots = config.consumerConcurrency;
      const { perKey } = task.concurrency;
      const eta = await etaOf(
        { store, slots },
        { id: '', task: taskName, status: 'queued', runAt, concurrencyKey },
        { submitting: true, now, perKey },
      );
      if (deadline && Date.parse(eta.finishAt) > Date.parse(deadline)) {
        throw new DeadlineUnreachableError(deadline, eta);
      }

      const record: JobRecord = {
        id: newJobId(),
        task: taskName,
        input,
        status: runAt ? 'scheduled' : 'queued',
        attempts: 0,
        queuedAt: new Date(now).toISOString(),
        ...(runAt ? { runAt } : {}),
        ...(startBy ? { startBy } : {}),
        ...(deadline ? { deadline } : {}),
        ...(concurrencyKey !== undefined ? { concurrencyKey } : {}),
        ...(callback ? { callback } : {}),
      };
      const { job, created } = await submitJob({ store, queue }, record, { idempotencyKey });
      const log = logger.child({ jobId: job.id });
      if (!created) {
        if (
          job.task !== taskName ||
          !isDeepStrictEqual(job.input, input) ||
          job.concurrencyKey !== concurrencyKey
        ) {
          throw conflict(
            'idempotency_key_reused',
            'this Idempotency-Key was used for a different task, input or concurrencyKey',
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
      const current = latest ?? job;
      // A replay's job has moved on since: its ETA as it stands now (none once it runs).
      const waiting = current.status === 'queued' || current.status === 'scheduled';
      const answerEta = !waiting
        ? undefined
        : created
          ? eta
          : await etaOf({ store, slots }, current, { perKey });
      return json(
        202,
        {
          jobId: job.id,
          status: current.status,
          ...(answerEta ? { eta: answerEta } : {}),
          links: jobLinks(job.id),
        },
        headers,
      );
    },
    { logger, auth, body: { maxBytes: config.maxBodyBytes } },
  );
}
