import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCancelJobHandler } from '../../../../lib/http/handlers/cancel-job';
import { createGetJobHandler } from '../../../../lib/http/handlers/get-job';
import { createGetJobOutputHandler } from '../../../../lib/http/handlers/get-job-output';
import { createListJobsHandler } from '../../../../lib/http/handlers/list-jobs';
import { createRetryJobHandler } from '../../../../lib/http/handlers/retry-job';
import { newJobId } from '../../../../lib/jobs/job-id';
import type { JobRecord } from '../../../../lib/jobs/job-record';
import type { JobStore } from '../../../../lib/jobs/job-store';
import { queuedJob } from '../../../helpers/jobs';
import type { Services } from '../../../../lib/services';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { STORE_KINDS } from '../../../helpers/job-stores';
import { unitServices } from '../../../helpers/services';

describe.each(STORE_KINDS)('job handlers (%s store)', (kind) => {
  let services: Services;
  let cleanup: () => Promise<void>;
  let openStore: () => JobStore;
  let send: Awaited<ReturnType<typeof unitServices>>['send'];

  beforeEach(async () => {
    ({ services, openStore, cleanup, send } = await unitServices({ store: kind }));
  });
  afterEach(async () => {
    await cleanup();
  });

  describe('GET /api/jobs/{id}', () => {
    it('returns the job', async () => {
      const job = queuedJob();
      await services.store.create(job);
      const response = await createGetJobHandler(services)(
        apiEvent({ pathParameters: { id: job.id } }),
        context,
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({
        jobId: job.id,
        status: 'queued',
        stdout: '',
        truncated: false,
      });
    });

    it.each(['../../etc/passwd', 'abc', '01a22357-c75e-4952-a5f3-52febc9b27c8x', ''])(
      'answers 400 for malformed id %p',
      async (id) => {
        const response = await createGetJobHandler(services)(apiEvent({ pathParameters: { id } }), context);
        expect(response.statusCode).toBe(400);
        expect(bodyOf(response)).toMatchObject({ error: { code: 'invalid_job_id' } });
      },
    );

    it.each(['00000000-0000-4000-8000-000000000000', '01A22357-C75E-4952-A5F3-52FEBC9B27C8'])(
      'answers 404 for a well-formed UUID that is no job here (%p)',
      async (id) => {
        const response = await createGetJobHandler(services)(apiEvent({ pathParameters: { id } }), context);
        expect(response.statusCode).toBe(404);
        expect(bodyOf(response)).toMatchObject({ error: { code: 'job_not_found' } });
      },
    );

    it('?wait=N answers as soon as the job finishes (finished by another writer of the store)', async () => {
      const job = queuedJob();
      await services.store.create(job);
      const started = Date.now();
      const waiting = createGetJobHandler(services)(
        apiEvent({ pathParameters: { id: job.id }, query: { wait: '10' } }),
        context,
      );
      await sleep(300);
      // Another process finishing the job: a store of its own on the same data.
      const other = openStore();
      await other.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
      await other.transition(job.id, 'succeeded', { finishedAt: new Date().toISOString(), exitCode: 0 });
      const response = await waiting;
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ jobId: job.id, status: 'succeeded' });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('?wait=N answers with the job as it is after N seconds', async () => {
      const job = queuedJob();
      await services.store.create(job);
      const started = Date.now();
      const response = await createGetJobHandler(services)(
        apiEvent({ pathParameters: { id: job.id }, query: { wait: '1' } }),
        context,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(bodyOf(response)).toMatchObject({ status: 'queued' });
    });

    it.each(['26', '-1', 'x', ''])('answers 400 for ?wait=%p', async (wait) => {
      const job = queuedJob();
      await services.store.create(job);
      const response = await createGetJobHandler(services)(
        apiEvent({ pathParameters: { id: job.id }, query: { wait } }),
        context,
      );
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'invalid_query' } });
    });

    it('answers 404 for an unknown job', async () => {
      const response = await createGetJobHandler(services)(
        apiEvent({ pathParameters: { id: newJobId() } }),
        context,
      );
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'job_not_found' } });
    });
  });

  describe('GET /api/jobs/{id}/output', () => {
    const read = (id: string, query: Record<string, string> = {}) =>
      createGetJobOutputHandler(services)(apiEvent({ pathParameters: { id }, query }), context);

    async function runningJob() {
      const job = queuedJob({ task: 'ticker', input: { lines: 3, intervalMs: 100 } });
      await services.store.create(job);
      return services.store.transition(job.id, 'running', {
        attempts: 1,
        startedAt: new Date().toISOString(),
      });
    }

    it('answers what a running attempt has written so far, from an offset on', async () => {
      const job = await runningJob();
      await services.store.appendOutput(job.id, 1, { stream: 'stdout', offset: 0, data: 'tick 1\n' });
      await services.store.appendOutput(job.id, 1, { stream: 'stdout', offset: 7, data: 'tick 2 \u00e9\n' });
      const all = await read(job.id);
      expect(all.statusCode).toBe(200);
      expect(bodyOf(all)).toEqual({
        stream: 'stdout',
        attempt: 1,
        offset: 0,
        nextOffset: 17,
        data: 'tick 1\ntick 2 \u00e9\n',
        complete: false,
        truncated: false,
      });
      // From inside the two bytes of é: the text starts at the next character, never half of one.
      expect(bodyOf(await read(job.id, { offset: '15' }))).toMatchObject({ offset: 16, data: '\n' });
      expect(bodyOf(await read(job.id, { offset: '17' }))).toMatchObject({ data: '', nextOffset: 17 });
      expect(bodyOf(await read(job.id, { stream: 'stderr' }))).toMatchObject({ data: '', nextOffset: 0 });
    });

    it("answers a finished job's output from its record, complete", async () => {
      const job = await runningJob();
      await services.store.transition(job.id, 'succeeded', {
        exitCode: 0,
        output: { stdout: 'tick 1\ntick 2\n', stderr: 'warn\n', truncated: true },
      });
      expect(bodyOf(await read(job.id, { offset: '7' }))).toEqual({
        stream: 'stdout',
        attempt: 1,
        offset: 7,
        nextOffset: 14,
        data: 'tick 2\n',
        complete: true,
        truncated: true,
      });
      expect(bodyOf(await read(job.id, { stream: 'stderr', offset: '99' }))).toMatchObject({
        data: '',
        nextOffset: 99,
        complete: true,
      });
    });

    it('?wait=S answers as soon as a piece past the offset arrives', async () => {
      const job = await runningJob();
      const started = Date.now();
      const waiting = read(job.id, { wait: '10' });
      await sleep(300);
      await openStore().appendOutput(job.id, 1, { stream: 'stdout', offset: 0, data: 'tick 1\n' });
      const response = await waiting;
      expect(bodyOf(response)).toMatchObject({ data: 'tick 1\n', complete: false });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('?wait=S answers as soon as the job ends, complete', async () => {
      const job = await runningJob();
      const waiting = read(job.id, { offset: '0', wait: '10' });
      await sleep(300);
      await openStore().transition(job.id, 'succeeded', {
        exitCode: 0,
        output: { stdout: 'done\n', stderr: '', truncated: false },
      });
      expect(bodyOf(await waiting)).toMatchObject({ data: 'done\n', complete: true });
    });

    it.each([
      [{ stream: 'stdin' }],
      [{ stream: '' }],
      [{ offset: '-1' }],
      [{ offset: '1.5' }],
      [{ offset: '' }],
      [{ wait: '26' }],
    ])('answers 400 invalid_query for %p', async (query) => {
      const job = await runningJob();
      const response = await read(job.id, query);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'invalid_query' } });
    });

    it('answers 404 for no such job and 400 for a malformed id', async () => {
      expect((await read(newJobId())).statusCode).toBe(404);
      expect(bodyOf(await read('../etc'))).toMatchObject({ error: { code: 'invalid_job_id' } });
    });
  });

  describe('GET /api/jobs', () => {
    it('lists newest first with a status filter and a cursor', async () => {
      const jobs = [0, 1, 2, 3].map((i) => queuedJob({ id: newJobId(1_700_000_000_000 + i) }));
      for (const job of jobs) await services.store.create(job);
      await services.store.transition(jobs[1]!.id, 'cancelled');
      const list = createListJobsHandler(services);

      const first = bodyOf(await list(apiEvent({ query: { limit: '2' } }), context));
      expect((first.jobs as Array<{ jobId: string }>).map((j) => j.jobId)).toEqual([
        jobs[3]!.id,
        jobs[2]!.id,
      ]);
      const second = bodyOf(
        await list(apiEvent({ query: { limit: '2', cursor: String(first.nextCursor) } }), context),
      );
      expect((second.jobs as Array<{ jobId: string }>).map((j) => j.jobId)).toEqual([
        jobs[1]!.id,
        jobs[0]!.id,
      ]);

      const cancelled = bodyOf(await list(apiEvent({ query: { status: 'cancelled' } }), context));
      expect((cancelled.jobs as Array<{ jobId: string }>).map((j) => j.jobId)).toEqual([jobs[1]!.id]);
    });

    it.each<Record<string, string>>([
      { status: 'done' },
      { limit: '0' },
      { limit: '101' },
      { cursor: '../x' },
      // Present but empty is not "absent": a client that sends `?limit=` has a bug worth hearing of.
      { limit: '' },
      { status: '' },
      { cursor: '' },
    ])('answers 400 invalid_query for %p', async (query) => {
      const response = await createListJobsHandler(services)(apiEvent({ query }), context);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'invalid_query' } });
    });
  });

  describe('DELETE /api/jobs/{id}', () => {
    it('cancels a queued job so that no worker can claim it', async () => {
      const job = queuedJob();
      await services.store.create(job);
      const response = await createCancelJobHandler(services)(
        apiEvent({ method: 'DELETE', pathParameters: { id: job.id } }),
        context,
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ status: 'cancelled' });
      const claim = { owner: 'worker', kind: 'run' as const, claimedAt: '', leaseUntil: '' };
      await expect(services.store.claim(job.id, 1, claim)).resolves.toBe(false);
    });

    it('counts a job cancelled before it started in the job metrics, once (it finishes here)', async () => {
      const finished: JobRecord[] = [];
      const metrics = Promise.resolve({ finished: (job: JobRecord) => void finished.push(job) });
      const waiting = queuedJob();
      const running = queuedJob();
      await services.store.create(waiting);
      await services.store.create(running);
      await services.store.transition(running.id, 'running', { attempts: 1 });
      const cancel = createCancelJobHandler({ ...services, metrics });

      await cancel(apiEvent({ method: 'DELETE', pathParameters: { id: waiting.id } }), context);
      // A running job is finished, and counted, by its worker.
      const worker = (async () => {
        while (!(await services.store.isCancelRequested(running.id, 1))) await sleep(20);
        await services.store.transition(running.id, 'cancelled');
      })();
      await cancel(apiEvent({ method: 'DELETE', pathParameters: { id: running.id } }), context);
      await worker;

      expect(finished.map((job) => [job.id, job.status])).toEqual([[waiting.id, 'cancelled']]);
    });

    it("announces a waiting job's callback; a send that fails still cancels, and leaves it to the job's message", async () => {
      const withCallback = () =>
        queuedJob({
          callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
        });
      const toCallbacks = () =>
        send.mock.calls.filter(([command]) =>
          /callbacks/.test(String((command as SendMessageCommand).input.QueueUrl)),
        );
      const cancel = createCancelJobHandler(services);

      const told = withCallback();
      await services.store.create(told);
      await cancel(apiEvent({ method: 'DELETE', pathParameters: { id: told.id } }), context);
      expect(toCallbacks()).toHaveLength(1);
      expect((await services.store.get(told.id))!.callback!.queuedAt).toEqual(expect.any(String));

      const untold = withCallback();
      await services.store.create(untold);
      send.mockImplementation(async (command) => {
        if (/callbacks/.test(String((command as SendMessageCommand).input.QueueUrl))) {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        }
        return {};
      });
      const response = await cancel(
        apiEvent({ method: 'DELETE', pathParameters: { id: untold.id } }),
        context,
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ status: 'cancelled', callback: { status: 'pending' } });
      // Not marked: the consumer announces it when the job's message comes (its test is the consumer's).
      expect((await services.store.get(untold.id))!.callback!.queuedAt).toBeUndefined();
    });

    it('answers 409 for a finished job', async () => {
      const job = queuedJob();
      await services.store.create(job);
      await services.store.transition(job.id, 'running', { attempts: 1 });
      await services.store.transition(job.id, 'succeeded');
      const response = await createCancelJobHandler(services)(
        apiEvent({ method: 'DELETE', pathParameters: { id: job.id } }),
        context,
      );
      expect(response.statusCode).toBe(409);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'job_finished' } });
    });

    it('asks the worker of a running job to stop it', async () => {
      const job = queuedJob();
      await services.store.create(job);
      await services.store.transition(job.id, 'running', { attempts: 1 });
      // Stand in for the worker: it sees the request and stops the job.
      const worker = (async () => {
        while (!(await services.store.isCancelRequested(job.id, 1))) await sleep(20);
        await services.store.transition(job.id, 'cancelled');
      })();
      const response = await createCancelJobHandler(services)(
        apiEvent({ method: 'DELETE', pathParameters: { id: job.id } }),
        context,
      );
      await worker;
      expect(response.statusCode).toBe(200);
      await expect(services.store.isCancelRequested(job.id, 1)).resolves.toBe(false);
      expect(bodyOf(response)).toMatchObject({ status: 'cancelled' });
    });
  });

  describe('POST /api/jobs/{id}/retry', () => {
    const retry = (id: string, headers: Record<string, string> = {}) =>
      createRetryJobHandler(services)(apiEvent({ method: 'POST', pathParameters: { id }, headers }), context);

    async function ended(status: 'failed' | 'timed_out' | 'cancelled' | 'succeeded') {
      const job = queuedJob();
      await services.store.create(job);
      await services.store.transition(job.id, 'running', { attempts: 1 });
      return services.store.transition(job.id, status, { finishedAt: new Date().toISOString(), exitCode: 1 });
    }

    it.each(['failed', 'timed_out', 'cancelled'] as const)(
      'queues a %s job again as its next attempt and sends it',
      async (status) => {
        const job = await ended(status);
        const sends = send.mock.calls.length;
        const response = await retry(job.id);
        expect(response.statusCode).toBe(202);
        expect(response.headers?.location).toBe(`/api/jobs/${job.id}`);
        expect(bodyOf(response)).toMatchObject({
          jobId: job.id,
          status: 'queued',
          attempts: 1,
          exitCode: null,
        });
        expect(send.mock.calls.length).toBe(sends + 1);
        await expect(services.store.get(job.id)).resolves.toMatchObject({ status: 'queued', attempts: 1 });
      },
    );

    it('answers 409 for a job that is not failed, timed out or cancelled, and 404 for an unknown one', async () => {
      const done = await ended('succeeded');
      const response = await retry(done.id);
      expect(response.statusCode).toBe(409);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'job_not_retryable' } });
      expect((await retry(newJobId())).statusCode).toBe(404);
      const queued = queuedJob();
      await services.store.create(queued);
      expect((await retry(queued.id)).statusCode).toBe(409);
    });

    it('queues a job once for a repeated Idempotency-Key, and answers the same job', async () => {
      const job = await ended('failed');
      const sends = send.mock.calls.length;
      const first = await retry(job.id, { 'idempotency-key': 'again-1' });
      const second = await retry(job.id, { 'idempotency-key': 'again-1' });
      expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
      expect(second.headers?.['idempotent-replayed']).toBe('true');
      expect(send.mock.calls.length).toBe(sends + 1);
      expect((await retry(job.id, { 'idempotency-key': 'other' })).statusCode).toBe(409);
    });

    it('answers 503 and leaves the job as it was when the queue does not answer', async () => {
      const job = await ended('failed');
      send.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
      const response = await retry(job.id);
      expect(response.statusCode).toBe(503);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'queue_unavailable' } });
      await expect(services.store.get(job.id)).resolves.toMatchObject({ status: 'failed', attempts: 1 });
    });
  });
});
