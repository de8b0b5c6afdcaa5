import { SSMClient } from '@aws-sdk/client-ssm';
import type { GetParameterCommand } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { callbackSecretSource } from '../../../lib/callbacks/callback-secret';
import type { JobRecord } from '../../../lib/jobs/job-record';
import { createDeliverCallbacksHandler } from '../../../lib/callbacks/deliver-callbacks-handler';
import { postCallback } from '../../../lib/callbacks/post-callback';
import { verifyCallback } from '../../../lib/callbacks/signature';
import type { JobStore } from '../../../lib/jobs/job-store';
import { StoreUnavailableError } from '../../../lib/store/store-errors';
import { callbackReceiver } from '../../helpers/callback-receiver';
import { context, sqsEvent, sqsRecord } from '../../helpers/events';
import { queuedJob } from '../../helpers/jobs';
import { STORE_KINDS, testStore } from '../../helpers/job-stores';
import { silentLogger } from '../../helpers/services';

const SECRET = 'test-secret-of-32-characters-xxxx';

describe.each(STORE_KINDS)('the callback deliverer (%s store)', (kind) => {
  let store: JobStore;
  let cleanup: () => Promise<void>;
  let receiver: Awaited<ReturnType<typeof callbackReceiver>>;
  const pauses: number[] = [];
  const queue = {
    changeVisibility: async (_handle: string, seconds: number) => {
      pauses.push(seconds);
    },
  };

  beforeEach(async () => {
    ({ store, cleanup } = await testStore(kind));
    receiver = await callbackReceiver();
    pauses.length = 0;
  });
  afterEach(async () => {
    await receiver.close();
    await cleanup();
  });

  async function finishedJob(url = receiver.url, finishedAt = new Date()): Promise<JobRecord> {
    const job = queuedJob({ callback: { url, status: 'pending', attempts: 0, lastError: null } });
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
    return store.transition(job.id, 'succeeded', {
      exitCode: 0,
      finishedAt: finishedAt.toISOString(),
      output: { stdout: 'hi\n', stderr: '', truncated: false },
    });
  }

  const handler = (overrides: { allowInternal?: boolean; now?: () => number } = {}) =>
    createDeliverCallbacksHandler({
      store,
      queue,
      secret: async () => SECRET,
      allowInternal: overrides.allowInternal ?? true,
      logger: silentLogger,
      now: overrides.now,
      random: () => 1,
    });
  const deliver = (job: JobRecord, h = handler()) =>
    h(sqsEvent(sqsRecord({ body: { jobId: job.id } })), context);

  it("POSTs the job's view, signed over the timestamp and the raw body, and records the delivery", async () => {
    const job = await finishedJob();
    await expect(deliver(job)).resolves.toEqual({ batchItemFailures: [] });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(verifyCallback(SECRET, got!.body, got!.headers['spawn-queue-signature'] as string)).toBe(true);
    expect(
      verifyCallback(
        'another-secret-entirely-xxxxxxxx',
        got!.body,
        got!.headers['spawn-queue-signature'] as string,
      ),
    ).toBe(false);
    expect(JSON.parse(got!.body)).toMatchObject({ jobId: job.id, status: 'succeeded', stdout: 'hi\n' });
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'delivered', attempts: 1, lastError: null },
    });
    // Delivered once: a second message of the same job sends nothing.
    await deliver(job);
    expect(receiver.received).toHaveLength(1);
  });

  it('tries again with a doubling pause while the receiver fails or is down, recording each try', async () => {
    const job = await finishedJob();
    receiver.answer(() => 503);
    await expect(deliver(job)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: expect.any(String) }],
    });
    await receiver.stop();
    await deliver(job);
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'pending', attempts: 2, lastError: expect.stringMatching(/ECONNREFUSED/) },
    });
    expect(pauses).toEqual([2, 4]);
    await receiver.start();
    receiver.answer(() => 204);
    await expect(deliver(job)).resolves.toEqual({ batchItemFailures: [] });
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'delivered', attempts: 3 },
    });
    expect(receiver.received.map((r) => JSON.parse(r.body).jobId)).toEqual([job.id, job.id]);
  });

  it('keeps a "queued" mark written while it posted, and records one try of two messages at once', async () => {
    const job = await finishedJob();
    const queuedAt = '2026-01-01T00:00:00.000Z';
    const marking = createDeliverCallbacksHandler({
      store,
      queue,
      secret: async () => SECRET,
      allowInternal: true,
      logger: silentLogger,
      // The announcer's mark lands between the deliverer's read and its record.
      post: async (request) => {
        await store.setCallback(job.id, (cb) => ({ ...cb, queuedAt }), job);
        return postCallback(request);
      },
    });
    await expect(deliver(job, marking)).resolves.toEqual({ batchItemFailures: [] });
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'delivered', attempts: 1, queuedAt },
    });

    const twice = await finishedJob();
    const h = handler();
    await expect(
      h(
        sqsEvent(sqsRecord({ body: { jobId: twice.id } }), sqsRecord({ body: { jobId: twice.id } })),
        context,
      ),
    ).resolves.toEqual({ batchItemFailures: [] });
    // Both may have posted (at least once); the record says one delivery, not two.
    await expect(store.get(twice.id)).resolves.toMatchObject({
      callback: { status: 'delivered', attempts: 1 },
    });
  });

  it('signs with the secret its SSM parameter holds; a read that fails is a try to repeat, not a loss', async () => {
    const ssm = new SSMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const answers: Array<() => unknown> = [
      () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      () => ({ Parameter: { Value: SECRET } }),
    ];
    const send = jest.fn(async (_command: unknown) => answers.shift()!());
    ssm.send = send as unknown as SSMClient['send'];
    const secret = callbackSecretSource(
      {
        callbackSecret: undefined,
        callbackSecretParameter: '/spawn-queue/prod/callback-secret',
        region: 'us-east-1',
      },
      () => ssm,
    );
    const fromSsm = createDeliverCallbacksHandler({
      store,
      queue,
      secret,
      allowInternal: true,
      logger: silentLogger,
    });
    const job = await finishedJob();

    await expect(deliver(job, fromSsm)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: expect.any(String) }],
    });
    expect(receiver.received).toHaveLength(0);
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: {
        status: 'pending',
        attempts: 1,
        lastError: expect.stringMatching(
          /cannot read the callback secret from \/spawn-queue\/prod\/callback-secret: Rate exceeded/,
        ),
      },
    });
    await expect(deliver(job, fromSsm)).resolves.toEqual({ batchItemFailures: [] });
    const [got] = receiver.received;
    expect(verifyCallback(SECRET, got!.body, got!.headers['spawn-queue-signature'] as string)).toBe(true);
    expect((send.mock.calls[1]![0] as GetParameterCommand).input).toEqual({
      Name: '/spawn-queue/prod/callback-secret',
      WithDecryption: true,
    });
  });

  it('returns a message the store could not answer for in seconds, not after the visibility timeout', async () => {
    const job = await finishedJob();
    let outages = 1;
    const flaky: typeof store = Object.create(store);
    flaky.get = async (id) => {
      if (outages-- > 0) throw new StoreUnavailableError('the job store does not answer');
      return store.get(id);
    };
    const h = createDeliverCallbacksHandler({
      store: flaky,
      queue,
      secret: async () => SECRET,
      allowInternal: true,
      logger: silentLogger,
    });
    await expect(
      h(sqsEvent(sqsRecord({ body: { jobId: job.id }, receiveCount: 1 })), context),
    ).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: expect.any(String) }],
    });
    expect(pauses).toEqual([2]);
    expect(receiver.received).toHaveLength(0);
    // Its next delivery, once the store answers, goes out; nothing was recorded in between.
    await expect(
      h(sqsEvent(sqsRecord({ body: { jobId: job.id }, receiveCount: 2 })), context),
    ).resolves.toEqual({
      batchItemFailures: [],
    });
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'delivered', attempts: 1 },
    });
  });

  it('gives up 24 h after the job ended', async () => {
    const job = await finishedJob(receiver.url, new Date(Date.now() - 24 * 3600 * 1000 - 1000));
    receiver.answer(() => 500);
    await expect(deliver(job)).resolves.toEqual({ batchItemFailures: [] });
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'failed', attempts: 1, lastError: expect.stringMatching(/gave up after 24 h/) },
    });
  });

  it('refuses a loopback or private address unless internal addresses are allowed (deployed: never)', async () => {
    const job = await finishedJob();
    await expect(deliver(job, handler({ allowInternal: false }))).resolves.toEqual({ batchItemFailures: [] });
    expect(receiver.received).toHaveLength(0);
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: { status: 'failed', lastError: expect.stringMatching(/internal address: refused/) },
    });
  });

  it('refuses a name that resolves to an internal address where it connects (one lookup, no rebinding)', async () => {
    const job = await finishedJob(receiver.url.replace('127.0.0.1', 'localhost'));
    await expect(deliver(job, handler({ allowInternal: false }))).resolves.toEqual({ batchItemFailures: [] });
    expect(receiver.received).toHaveLength(0);
    await expect(store.get(job.id)).resolves.toMatchObject({
      callback: {
        status: 'failed',
        lastError: expect.stringMatching(/localhost resolves to .*internal address: refused/),
      },
    });
  });

  it('drops a message that names no job, and a job without a callback', async () => {
    const plain = queuedJob();
    await store.create(plain);
    const h = handler();
    await expect(h(sqsEvent(sqsRecord({ body: 'not json' })), context)).resolves.toEqual({
      batchItemFailures: [],
    });
    await expect(h(sqsEvent(sqsRecord({ body: { jobId: plain.id } })), context)).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(receiver.received).toHaveLength(0);
  });
});
