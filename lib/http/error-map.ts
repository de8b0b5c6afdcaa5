import { AuthUnavailableError, UnauthorizedError } from '../auth/auth-errors';
import { CallbackRefusedError } from '../callbacks/callback-target';
import {
  DeadlineUnreachableError,
  JobFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
} from '../jobs/job-errors';
import { QueueFullError } from '../queue/backlog-limit';
import { QueueUnavailableError } from '../queue/queue-errors';
import { JobRecordUnreadableError, StoreFullError, StoreUnavailableError } from '../store/store-errors';
import { TaskInputError, TaskUnavailableError, UnknownTaskError } from '../tasks/task-errors';
import { ScheduleInputError, ScheduleNotFoundError, SchedulesFullError } from '../schedules/schedule-errors';

/** How one kind of error is answered: status, the stable code, the message a client may read. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  /** More fields of the error object, beside code and message (a refused deadline's ETA). */
  details?: Record<string, unknown>;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
type Mapping<E extends Error> = [ErrorClass<E>, (error: E) => ErrorAnswer];

const map = <E extends Error>(type: ErrorClass<E>, answer: (error: E) => ErrorAnswer): Mapping<Error> =>
  [type, answer] as unknown as Mapping<Error>;

/** Clients should come back after this long when the store, the queue or the backlog says no. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The one mapping from the domain's errors to HTTP answers. The domains (tasks, jobs, queue, store,
 * auth) throw their own errors and know nothing of status codes; handlers throw and never catch to
 * translate; the error middleware answers what this table names, and a plain 500 for anything else.
 */
export const ERROR_MAP: readonly Mapping<Error>[] = [
  map(UnauthorizedError, (e) => ({
    status: 401,
    code: 'unauthorized',
    message: e.message,
    headers: { 'www-authenticate': 'Bearer' },
  })),
  map(AuthUnavailableError, (e) => ({ status: 503, code: 'auth_unavailable', message: e.message })),
  map(UnknownTaskError, (e) => ({
    status: 404,
    code: 'unknown_task',
    message: `no task named "${e.task.slice(0, 60)}"`,
  })),
  map(TaskInputError, (e) => ({ status: 400, code: 'invalid_input', message: e.message })),
  map(CallbackRefusedError, (e) => ({ status: 400, code: 'invalid_callback', message: e.message })),
  map(TaskUnavailableError, (e) => ({ status: 503, code: 'task_unavailable', message: e.message })),
  map(ScheduleInputError, (e) => ({ status: 400, code: 'invalid_schedule', message: e.message })),
  map(ScheduleNotFoundError, (e) => ({ status: 404, code: 'schedule_not_found', message: e.message })),
  map(SchedulesFullError, (e) => ({ status: 409, code: 'schedules_full', message: e.message })),
  map(JobNotFoundError, (e) => ({ status: 404, code: 'job_not_found', message: `no job ${e.jobId}` })),
  map(JobFinishedError, (e) => ({ status: 409, code: 'job_finished', message: e.message })),
  map(JobNotRetryableError, (e) => ({ status: 409, code: 'job_not_retryable', message: e.message })),
  map(DeadlineUnreachableError, (e) => ({
    status: 422,
    code: 'deadline_unreachable',
    message: e.message,
    details: { eta: e.eta },
  })),
  map(QueueFullError, (e) => ({
    status: 429,
    code: 'queue_full',
    message: `${e.limit} jobs are waiting, the most this service queues; nothing was queued, try again later`,
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
  })),
  map(QueueUnavailableError, () => ({
    status: 503,
    code: 'queue_unavailable',
    message: 'the job queue is not reachable; nothing was changed, try again',
  })),
  map(StoreFullError, (e) => ({ status: 507, code: 'store_full', message: e.message })),
  map(StoreUnavailableError, (e) => ({
    status: 503,
    code: 'store_unavailable',
    message: e.message,
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
  })),
  map(JobRecordUnreadableError, (e) => ({ status: 500, code: 'job_unreadable', message: e.message })),
];

/** The answer the map gives `error`, if it names its kind. */
export function answerFor(error: unknown): ErrorAnswer | undefined {
  for (const [type, answer] of ERROR_MAP) if (error instanceof type) return answer(error);
  return undefined;
}
