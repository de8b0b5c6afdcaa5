import { AuthUnavailableError, UnauthorizedError } from '../../../lib/auth/auth-errors';
import { answerFor, ERROR_MAP } from '../../../lib/http/error-map';
import { JobFinishedError, JobNotFoundError, JobNotRetryableError } from '../../../lib/jobs/job-errors';
import { newJobId } from '../../../lib/jobs/job-id';
import { QueueFullError } from '../../../lib/queue/backlog-limit';
import { QueueUnavailableError } from '../../../lib/queue/queue-errors';
import {
  JobRecordUnreadableError,
  StoreFullError,
  StoreUnavailableError,
} from '../../../lib/store/store-errors';
import { TaskInputError, TaskUnavailableError, UnknownTaskError } from '../../../lib/tasks/task-errors';

describe('the one error map', () => {
  const id = newJobId();
  it.each([
    [new UnauthorizedError('no token'), 401, 'unauthorized', { 'www-authenticate': 'Bearer' }],
    [new AuthUnavailableError('down'), 503, 'auth_unavailable', undefined],
    [new UnknownTaskError('rm'), 404, 'unknown_task', undefined],
    [new TaskInputError('input.text is required', 'echo', 'input.text'), 400, 'invalid_input', undefined],
    [new TaskUnavailableError('echo', 'no printf'), 503, 'task_unavailable', undefined],
    [new JobNotFoundError(id), 404, 'job_not_found', undefined],
    [new JobFinishedError(id, 'succeeded'), 409, 'job_finished', undefined],
    [new JobNotRetryableError(id, 'running'), 409, 'job_not_retryable', undefined],
    [new QueueFullError(10, 10), 429, 'queue_full', { 'retry-after': '5' }],
    [new QueueUnavailableError('down', 'jobs'), 503, 'queue_unavailable', undefined],
    [new StoreFullError(), 507, 'store_full', undefined],
    [new StoreUnavailableError('down'), 503, 'store_unavailable', { 'retry-after': '5' }],
    [new JobRecordUnreadableError(id), 500, 'job_unreadable', undefined],
  ] as const)('answers %p with %i %s', (error, status, code, headers) => {
    expect(answerFor(error)).toMatchObject({ status, code, ...(headers ? { headers } : {}) });
  });

  it('maps domain errors that know nothing of HTTP, and nothing else', () => {
    for (const [type] of ERROR_MAP) {
      expect(Object.keys(type.prototype)).not.toContain('statusCode');
    }
    expect(new StoreUnavailableError('down')).not.toHaveProperty('statusCode');
    expect(answerFor(new Error('a bug'))).toBeUndefined();
  });
});
