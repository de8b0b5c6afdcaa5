import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createSubmitJobHandler } from '../../../../lib/http/handlers/submit-job';
import { createBacklogLimit } from '../../../../lib/queue/backlog-limit';
import type { Services } from '../../../../lib/services';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { STORE_KINDS } from '../../../helpers/job-stores';
import { unitServices } from '../../../helpers/services';

type Send = Awaited<ReturnType<typeof unitServices>>['send'];
/** A request the handler must refuse: its name, the event, the status, the error code and message. */
type Refusal = [string, ReturnType<typeof submit>, number, string, RegExp];

function submit(task: string, body: unknown, extra: Parameters<typeof apiEvent>[0] = {}) {
  return apiEvent({ method: 'POST', path: `/api/tasks/${task}`, pathParameters: { task }, body, ...extra });
}

describe.each(STORE_KINDS)('POST /api/tasks/{task} (%s store)', (kind) => {
  let services: Services;
  let send: Send;
  let cleanup: () => Promise<void>;
  let handler: ReturnType<typeof createSubmitJobHandler>;

  beforeEach(async () => {
    ({ services, send, cleanup } = await unitServices({ store: kind }));
    handler = createSubmitJobHandler(services);
  });
  afterEach(async () => {
    await cleanup();
  });

  async function jobCount(): Promise<number> {
    return (await services.store.list({ limit: 100 })).jobs.length;
  }

  it('writes a queued job, sends its id to SQS and answers 202 with links', async () => {
    const response = await handler(submit('echo', { input: { text: 'hi' } }), context);
    expect(response.statusCode).toBe(202);
    const body = bodyOf(response);
    expect(body).toMatchObject({ status: 'queued', links: { self: `/api/jobs/${String(body.jobId)}` } });
    expect(response.headers?.location).toBe(`/api/jobs/${String(body.jobId)}`);
    const command = send.mock.calls[0]?.[0] as SendMessageBatchCommand;
    expect(command).toBeInstanceOf(SendMessageBatchCommand);
    expect(command.input.Entries).toHaveLength(1);
    expect(JSON.parse(command.input.Entries?.[0]?.MessageBody ?? '')).toEqual({
      task: 'echo',
      input: { text: 'hi' },
      jobId: body.jobId,
    });
    await expect(services.store.get(String(body.jobId))).resolves.toMatchObject({ status: 'queued' });
  });

  it.each<Refusal>([
    ['unknown task', submit('rm', { input: {} }), 404, 'unknown_task', /no task named "rm"/],
    [
      'input failing the schema',
      submit('sleep', { input: { seconds: 9999 } }),
      400,
      'invalid_input',
      /input\.seconds/,
    ],
    ['missing field', submit('echo', { input: {} }), 400, 'invalid_input', /input\.text is required/],
    [
      'a NUL character in what becomes an argument (no process can take it)',
      submit('echo', { input: { text: 'x\u0000y' } }),
      400,
      'invalid_input',
      /input\.text must not contain a NUL character/,
    ],
    ['non-JSON body', submit('echo', '{"input": ', {}), 400, 'invalid_json', /not valid JSON/],
    [
      'wrong content type',
      submit('echo', 'text=hi', { headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported_media_type',
      /application\/json/,
    ],
    [
      'body over the limit',
      submit('echo', { input: { text: 'x'.repeat(5000) } }),
      413,
      'payload_too_large',
      /2048 bytes/,
    ],
    [
      'extra top-level field',
      submit('echo', { input: { text: 'a' }, cmd: 'ls' }),
      400,
      'invalid_body',
      /body\.cmd/,
    ],
    [
      'delaySeconds and runAt together',
      submit('echo', { input: { text: 'a' }, delaySeconds: 5, runAt: new Date().toISOString() }),
      400,
      'invalid_body',
      /not both/,
    ],
    ...[-1, 1.5, 86_401, '5', null].map((delaySeconds): Refusal => [
      `delaySeconds ${JSON.stringify(delaySeconds)}`,
      submit('echo', { input: { text: 'a' }, delaySeconds }),
      400,
      'invalid_body',
      /delaySeconds must be an integer from 0 to 86400/,
    ]),
    ...['tomorrow', '2026-12-02', '2026-12-02T10:00:00', 42].map((runAt): Refusal => [
      `runAt ${JSON.stringify(runAt)}`,
      submit('echo', { input: { text: 'a' }, runAt }),
      400,
      'invalid_body',
      /runAt must be an ISO 8601 time/,
    ]),
    ...['soon', '2026-12-02T10:00:00'].map((startBy): Refusal => [
      `startBy ${JSON.stringify(startBy)}`,
      submit('echo', { input: { text: 'a' }, startBy }),
      400,
      'invalid_body',
      /startBy must be an ISO 8601 time/,
    ]),
    [
      'a startBy that has passed',
      submit('echo', { input: { text: 'a' }, startBy: new Date(Date.now() - 1000).toISOString() }),
      400,
      'invalid_body',
      /startBy must be later than now/,
    ],
    [
      'a startBy before the job’s runAt',
      submit('echo', {
        input: { text: 'a' },
        runAt: new Date(Date.now() + 60_000).toISOString(),
        startBy: new Date(Date.now() + 30_000).toISOString(),
      }),
      400,
      'invalid_body',
      /than the job’s runAt/,
    ],
    [
      'a deadline that has passed',
      submit('echo', { input: { text: 'a' }, deadline: new Date(Date.now() - 1000).toISOString() }),
      400,
      'invalid_body',
      /deadline must be later than now/,
    ],
    [
      'runAt more than 24 hours ahead',
      submit('echo', { input: { text: 'a' }, runAt: new Date(Date.now() + 86_460_000).toISOString() }),
      400,
      'invalid_body',
      /at most 24 hours ahead/,
    ],
    [
      'a concurrencyKey over 128 characters',
      submit('echo', { input: { text: 'a' }, concurrencyKey: 'k'.repeat(129) }),
      400,
      'invalid_body',
      /concurrencyKey must be a string of 1 to 128 characters/,
    ],
    [
      'a concurrencyKey that is not a string',
      submit('echo', { input: { text: 'a' }, concurrencyKey: 7 }),
      400,
      'invalid_body',
      /concurrencyKey must be a string/,
    ],
    [
      'wait above 25 s',
      submit('echo', { input: { text: 'a' } }, { query: { wait: '26' } }),
      400,
      'invalid_query',
      /wait/,
    ],
  ])('answers %s with a clear 4xx and changes nothing', async (_name, event, status, code, message) => {
    const response = await handler(event, context);
    expect(response.statusCode).toBe(status);
    const body = bodyOf(response) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
    expect(send).not.toHaveBeenCalled();
    expect(await jobCount()).toBe(0);
  });

  it.each([false, 0])(
    'answers a JSON body of %p (which the local emulator hands over parsed) with 400 invalid_body',
    async (value) => {
      const event = submit('echo', {});
      (event as { body: unknown }).body = value;
      const response = await handler(event, context);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: { code: 'invalid_body' } });
    },
  );

  it('keeps a concurrencyKey on the job and in its message; a repeated key with another one is a conflict', async () => {
    const headers = { 'idempotency-key': 'with-a-key' };
    const body = { input: { text: 'k' }, concurrencyKey: 'tenant-1' };
    const response = await handler(submit('echo', body, { headers }), context);
    expect(response.statusCode).toBe(202);
    const { jobId } = bodyOf(response) as { jobId: string };
    await expect(services.store.get(jobId)).resolves.toMatchObject({ concurrencyKey: 'tenant-1' });
    const command = send.mock.calls[0]?.[0] as SendMessageBatchCommand;
    expect(JSON.parse(command.input.Entries?.[0]?.MessageBody ?? '')).toEqual({
      task: 'echo',
      input: { text: 'k' },
      jobId,
      concurrencyKey: 'tenant-1',
    });
    const other = await handler(
      submit('echo', { ...body, concurrencyKey: 'tenant-2' }, { headers }),
      context,
    );
    expect(other.statusCode).toBe(409);
    expect(bodyOf(other)).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });

  it('answers with an ETA, and keeps startBy and deadline on the job', async () => {
    const startBy = new Date(Date.now() + 60_000).toISOString();
    const deadline = new Date(Date.now() + 120_000).toISOString();
    const response = await handler(submit('echo', { input: { text: 'eta' }, startBy, deadline }), context);
    expect(response.statusCode).toBe(202);
    const body = bodyOf(response) as { jobId: string; eta: { startAt: string; finishAt: string } };
    expect(Date.parse(body.eta.startAt)).toBeLessThanOrEqual(Date.parse(body.eta.finishAt));
    expect(Date.parse(body.eta.finishAt)).toBeLessThan(Date.now() + 60_000);
    await expect(services.store.get(body.jobId)).resolves.toMatchObject({ startBy, deadline });
  });

  it('refuses a deadline its ETA cannot meet with 422 deadline_unreachable and the ETA, and writes nothing', async () => {
    // Eight jobs of a task that takes 10 s on average ahead of it, on 4 slots: it cannot finish in 5 s.
    const finished = await services.store.create({
      id: '01a2e000-0000-7000-8000-000000000001',
      task: 'sleep',
      input: { seconds: 10 },
      status: 'queued',
      attempts: 0,
      queuedAt: new Date().toISOString(),
    });
    const now = new Date().toISOString();
    await services.store.transition(finished.job.id, 'running', { attempts: 1, startedAt: now });
    await services.store.transition(finished.job.id, 'succeeded', { runMs: 10_000, finishedAt: now });
    for (let i = 0; i < 8; i += 1) {
      await handler(submit('sleep', { input: { seconds: 10 } }), context);
    }
    const stored = await jobCount();
    const deadline = new Date(Date.now() + 5000).toISOString();
    const response = await handler(submit('sleep', { input: { seconds: 10 }, deadline }), context);
    expect(response.statusCode).toBe(422);
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'deadline_unreachable',
        message: expect.stringMatching(/would finish about .* after its deadline .*nothing was queued/),
        eta: { startAt: expect.any(String), finishAt: expect.any(String) },
      },
    });
    expect(await jobCount()).toBe(stored);
  });

  it('writes a delayed job as scheduled until its time, and sends its message delayed (SQS: 15 minutes at most)', async () => {
    const before = Date.now();
    const response = await handler(submit('echo', { input: { text: 'later' }, delaySeconds: 120 }), context);
    expect(response.statusCode).toBe(202);
    const { jobId, status } = bodyOf(response) as { jobId: string; status: string };
    expect(status).toBe('scheduled');
    const job = await services.store.get(jobId);
    expect(job).toMatchObject({ status: 'scheduled' });
    expect(Date.parse(job!.runAt!) - before).toBeGreaterThanOrEqual(120_000);
    expect(Date.parse(job!.runAt!) - Date.now()).toBeLessThanOrEqual(120_000);
    const entry = (send.mock.calls[0]?.[0] as SendMessageBatchCommand).input.Entries?.[0];
    expect(entry?.DelaySeconds).toBe(120);

    // A day ahead: delayed as far as SQS goes; the consumer sends it on from there.
    const later = new Date(Date.now() + 86_000_000).toISOString();
    const far = await handler(submit('echo', { input: { text: 'far' }, runAt: later }), context);
    expect(bodyOf(far)).toMatchObject({ status: 'scheduled' });
    await expect(services.store.get(String(bodyOf(far).jobId))).resolves.toMatchObject({ runAt: later });
    expect((send.mock.calls[1]?.[0] as SendMessageBatchCommand).input.Entries?.[0]?.DelaySeconds).toBe(900);
  });

  it('keeps a completion callback on the job, pending, when the service has a secret to sign it with', async () => {
    const local = await unitServices({
      store: kind,
      env: { CALLBACK_SECRET: 'a-secret-of-at-least-16', CALLBACK_ALLOW_INTERNAL: 'true' },
    });
    try {
      const submitted = await createSubmitJobHandler(local.services)(
        submit('echo', { input: { text: 'a' }, callback: { url: 'http://127.0.0.1:9/hook' } }),
        context,
      );
      expect(submitted.statusCode).toBe(202);
      await expect(local.services.store.get(String(bodyOf(submitted).jobId))).resolves.toMatchObject({
        callback: { url: 'http://127.0.0.1:9/hook', status: 'pending', attempts: 0, lastError: null },
      });
    } finally {
      await local.cleanup();
    }
  });

  it('accepts a callback when the secret is kept in SSM (only the deliverer reads it)', async () => {
    const withParameter = await unitServices({
      store: kind,
      env: {
        CALLBACK_SECRET_PARAMETER: '/spawn-queue/prod/callback-secret',
        CALLBACK_ALLOW_INTERNAL: 'true',
      },
    });
    try {
      const submitted = await createSubmitJobHandler(withParameter.services)(
        submit('echo', { input: { text: 'a' }, callback: { url: 'http://127.0.0.1:9/hook' } }),
        context,
      );
      expect(submitted.statusCode).toBe(202);
      await expect(withParameter.services.store.get(String(bodyOf(submitted).jobId))).resolves.toMatchObject({
        callback: { url: 'http://127.0.0.1:9/hook', status: 'pending' },
      });
    } finally {
      await withParameter.cleanup();
    }
  });

  it('refuses a callback to an internal address when deployed, and any callback without a secret', async () => {
    const deployed = await unitServices({ store: kind, env: { CALLBACK_SECRET: 'a-secret-of-at-least-16' } });
    try {
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/',
      ]) {
        const refused = await createSubmitJobHandler(deployed.services)(
          submit('echo', { input: { text: 'a' }, callback: { url } }),
          context,
        );
        expect(refused.statusCode).toBe(400);
        expect(bodyOf(refused)).toMatchObject({
          error: { code: 'invalid_callback', message: expect.stringMatching(/internal address/) },
        });
      }
      expect(await deployed.services.store.list()).toMatchObject({ jobs: [] });
    } finally {
      await deployed.cleanup();
    }
    const unsigned = await handler(
      submit('echo', { input: { text: 'a' }, callback: { url: 'https://example.com/' } }),
      context,
    );
    expect(bodyOf(unsigned)).toMatchObject({ error: { code: 'callbacks_unavailable' } });
    for (const callback of ['https://example.com', { url: 'ftp://example.com/' }, { url: 'x', secret: 1 }]) {
      const bad = await handler(submit('echo', { input: { text: 'a' }, callback }), context);
      expect(bad.statusCode).toBe(400);
    }
    expect(await jobCount()).toBe(0);
  });

  it('runs a job whose time has come (delaySeconds 0, a runAt in the past) as any other', async () => {
    for (const when of [{ delaySeconds: 0 }, { runAt: '2020-01-01T00:00:00Z' }]) {
      const response = await handler(submit('echo', { input: { text: 'now' }, ...when }), context);
      expect(bodyOf(response)).toMatchObject({ status: 'queued' });
      const job = await services.store.get(String(bodyOf(response).jobId));
      expect(job?.runAt).toBeUndefined();
    }
    const entries = send.mock.calls.map((c) => (c[0] as SendMessageBatchCommand).input.Entries?.[0]);
    expect(entries.map((e) => e?.DelaySeconds)).toEqual([undefined, undefined]);
  });

  it('passes shell metacharacters to the task as data', async () => {
    const text = '; rm -rf / $(id) `id` | cat\n-n';
    const response = await handler(submit('echo', { input: { text } }), context);
    expect(response.statusCode).toBe(202);
    const job = await services.store.get(String(bodyOf(response).jobId));
    expect(job?.input).toEqual({ text });
  });

  it('returns the same job for a repeated Idempotency-Key and sends once', async () => {
    const event = () =>
      submit('echo', { input: { text: 'once' } }, { headers: { 'idempotency-key': 'abc' } });
    const first = await handler(event(), context);
    const second = await handler(event(), context);
    expect(bodyOf(second).jobId).toBe(bodyOf(first).jobId);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('refuses an Idempotency-Key reused for different input', async () => {
    await handler(submit('echo', { input: { text: 'a' } }, { headers: { 'idempotency-key': 'k' } }), context);
    const response = await handler(
      submit('echo', { input: { text: 'b' } }, { headers: { 'idempotency-key': 'k' } }),
      context,
    );
    expect(response.statusCode).toBe(409);
  });

  it('answers 503 and leaves no job behind when SQS is unreachable', async () => {
    send.mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9324'), { code: 'ECONNREFUSED' }),
    );
    const response = await handler(
      submit('echo', { input: { text: 'hi' } }, { headers: { 'idempotency-key': 'r' } }),
      context,
    );
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'queue_unavailable',
        message: 'the job queue is not reachable; nothing was changed, try again',
      },
    });
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(await jobCount()).toBe(0);

    send.mockResolvedValue({});
    const retry = await handler(
      submit('echo', { input: { text: 'hi' } }, { headers: { 'idempotency-key': 'r' } }),
      context,
    );
    expect(retry.statusCode).toBe(202);
  });

  it('with ?wait returns 200 and the finished job when it finishes in time', async () => {
    send.mockImplementation(async (command: unknown) => {
      // Stand in for the consumer: finish the job shortly after it is sent.
      const entry = (command as SendMessageBatchCommand).input.Entries?.[0];
      const { jobId } = JSON.parse(entry?.MessageBody ?? '{}') as {
        jobId: string;
      };
      setTimeout(() => {
        void (async () => {
          await services.store.transition(jobId, 'running', { attempts: 1 });
          await services.store.transition(jobId, 'succeeded', { exitCode: 0 });
        })();
      }, 150);
      return { Successful: [{ Id: entry?.Id }] };
    });
    const response = await handler(
      submit('echo', { input: { text: 'hi' } }, { query: { wait: '2' } }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  it('with ?wait answers 202 when the job is not done in time', async () => {
    const response = await handler(
      submit('echo', { input: { text: 'hi' } }, { query: { wait: '1' } }),
      context,
    );
    expect(response.statusCode).toBe(202);
  });

  it('sends concurrent submits in shared SendMessageBatch calls (10 entries at most)', async () => {
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) => handler(submit('echo', { input: { text: `n${i}` } }), context)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(25).fill(202));
    const batches = send.mock.calls.map(([command]) => (command as SendMessageBatchCommand).input.Entries);
    expect(batches.length).toBeLessThan(25);
    expect(batches.every((entries) => entries!.length <= 10)).toBe(true);
    const sent = batches.flat().map((entry) => JSON.parse(entry?.MessageBody ?? '{}') as { jobId: string });
    expect(new Set(sent.map((m) => m.jobId)).size).toBe(25);
  });

  it('answers 503 for the one submit of a batch that SQS refused, and 202 for the others', async () => {
    send.mockImplementation(async (command: unknown) => {
      const entries = (command as SendMessageBatchCommand).input.Entries ?? [];
      const refused = entries.filter((e) => e.MessageBody?.includes('"n1"'));
      return { Failed: refused.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })) };
    });
    const responses = await Promise.all(
      [0, 1, 2].map((i) => handler(submit('echo', { input: { text: `n${i}` } }), context)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([202, 503, 202]);
  });

  it('answers 429 queue_full with Retry-After beyond MAX_QUEUED_JOBS, and writes nothing', async () => {
    send.mockImplementation(async (command: unknown) =>
      command instanceof GetQueueAttributesCommand
        ? { Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesDelayed: '0' } }
        : {},
    );
    const limited = createSubmitJobHandler({
      ...services,
      backlog: createBacklogLimit({ depth: () => services.queue.depth(), maxQueuedJobs: 5 }),
    });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await limited(submit('echo', { input: { text: `n${i}` } }), context)).statusCode);
    }
    // 3 waiting + 2 sent by this process = 5: the third submit is refused.
    expect(statuses).toEqual([202, 202, 429, 429]);
    const refused = await limited(submit('echo', { input: { text: 'more' } }), context);
    expect(refused.headers?.['retry-after']).toBe('5');
    expect(bodyOf(refused)).toMatchObject({ error: { code: 'queue_full' } });
    await expect(jobCount()).resolves.toBe(2);
    // The depth was read once for all of these submits, not once per submit.
    expect(send.mock.calls.filter(([c]) => c instanceof GetQueueAttributesCommand)).toHaveLength(2);
  });
});
