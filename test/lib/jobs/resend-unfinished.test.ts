import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createRunJobsHandler } from '../../../lib/consumer/run-jobs-handler';
import { createSqliteJobStore } from '../../../lib/store/sqlite-job-store';
import { resendPendingCallbacks, resendUnfinished } from '../../../lib/jobs/job-lifecycle';
import { createCallbackQueue } from '../../../lib/queue/callback-queue';
import { createJobQueue } from '../../../lib/queue/job-queue';
import { createCatalogue } from '../../../lib/tasks/catalogue';
import { createTestQueues, testSqs } from '../../helpers/elasticmq';
import { context, sqsRecord } from '../../helpers/events';
import { queuedJob } from '../../helpers/jobs';
import { silentLogger, tempDir } from '../../helpers/services';

describe('resendUnfinished (a restarted local queue)', () => {
  it('sends unfinished jobs again and frees the claims of killed attempts, so both finish', async () => {
    const sqs = testSqs();
    const queues = await createTestQueues(sqs);
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    const waiting = queuedJob({ input: { text: 'was queued' } });
    const killed = queuedJob({ input: { text: 'was running' } });
    const done = queuedJob();
    for (const job of [waiting, killed, done]) await store.create(job);
    const lease = new Date(Date.now() + 600_000).toISOString();
    await store.claim(killed.id, 1, { owner: 'old-stack', kind: 'run', claimedAt: '', leaseUntil: lease });
    await store.transition(killed.id, 'running', { attempts: 1 });
    await store.transition(done.id, 'running', { attempts: 1 });
    await store.transition(done.id, 'succeeded');

    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    await expect(resendUnfinished({ store, queue })).resolves.toBe(2);

    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const bodies = (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as { jobId: string });
    expect(bodies.map((b) => b.jobId).sort()).toEqual([waiting.id, killed.id].sort());

    const consumer = createRunJobsHandler({
      store,
      catalogue: createCatalogue(),
      logger: silentLogger,
      maxReceiveCount: 3,
    });
    const records: SQSRecord[] = (received.Messages ?? []).map((m) =>
      sqsRecord({ body: m.Body!, messageId: m.MessageId! }),
    );
    await expect(consumer({ Records: records }, context)).resolves.toEqual({ batchItemFailures: [] });
    await expect(store.get(waiting.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 1 });
    await expect(store.get(killed.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 2 });
    await cleanup();
  });

  it('sends a scheduled job again delayed until its time, so it does not run early', async () => {
    const sqs = testSqs();
    const queues = await createTestQueues(sqs);
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    const later = queuedJob({ status: 'scheduled', runAt: new Date(Date.now() + 3_000).toISOString() });
    await store.create(later);
    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    await expect(resendUnfinished({ store, queue })).resolves.toBe(1);
    const receive = (wait: number) =>
      sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queues.url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait }),
      );
    // Not receivable before its time; then it is.
    expect((await receive(1)).Messages ?? []).toEqual([]);
    const received = await receive(5);
    expect(received.Messages?.map((m) => (JSON.parse(m.Body!) as { jobId: string }).jobId)).toEqual([
      later.id,
    ]);
    await store.close();
    await cleanup();
  });

  it('tells the callback deliverer again of final jobs whose callback is still pending', async () => {
    const sqs = testSqs();
    const queues = await createTestQueues(sqs);
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    const pending = queuedJob({
      callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
    });
    await store.create(pending);
    await store.transition(pending.id, 'running', { attempts: 1 });
    await store.transition(pending.id, 'succeeded');
    const callbacks = createCallbackQueue({ sqs, queueName: queues.name });
    await expect(resendPendingCallbacks({ store, callbacks })).resolves.toBe(1);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect((received.Messages ?? []).map((m) => JSON.parse(m.Body!))).toEqual([{ jobId: pending.id }]);
    await store.close();
    await cleanup();
  });
});
