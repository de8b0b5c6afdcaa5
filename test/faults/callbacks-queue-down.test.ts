import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createRunJobsHandler } from '../../lib/consumer/run-jobs-handler';
import type { EventSourceMapping } from '../../lib/local/event-source-mapping';
import { createCallbackQueue } from '../../lib/queue/callback-queue';
import type { JobStore } from '../../lib/jobs/job-store';
import { createCatalogue } from '../../lib/tasks/catalogue';
import { createTestQueues, eventually, testJobQueue, testMapping, testSqs } from '../helpers/elasticmq';
import { context } from '../helpers/events';
import { queuedJob } from '../helpers/jobs';
import { STORE_KINDS, testStore } from '../helpers/job-stores';
import { silentLogger } from '../helpers/services';

const sqs = testSqs();

/**
 * Fault: the callbacks queue cannot be reached when a job that asked for a completion callback ends
 * (here: it does not exist yet, and the real ElasticMQ refuses the send). The job's end is recorded,
 * its message comes back in seconds, and once the queue is there the deliverer is told, once.
 */
describe.each(STORE_KINDS)('the callbacks queue down when a job ends (%s store)', (kind) => {
  let store: JobStore;
  let cleanup: () => Promise<void>;
  let mapping: EventSourceMapping | undefined;

  beforeEach(async () => {
    ({ store, cleanup } = await testStore(kind));
  });
  afterEach(async () => {
    await mapping?.stop({ drain: false, graceful: false });
    await cleanup();
  });

  it("records the job's end, and announces its callback once the queue is back", async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeout: 3960, maxReceiveCount: 10 });
    const jobsQueue = testJobQueue(sqs, queues);
    const callbacksName = `test-callbacks-${randomBytes(4).toString('hex')}`;
    const consumer = createRunJobsHandler({
      store,
      catalogue: createCatalogue(),
      logger: silentLogger,
      maxReceiveCount: 10,
      queue: jobsQueue,
      callbacks: createCallbackQueue({ sqs, queueName: callbacksName }),
    });
    mapping = testMapping(sqs, queues, (event: SQSEvent) => consumer(event, context), { concurrency: 1 });
    const job = queuedJob({
      input: { text: 'tell me' },
      callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
    });
    await store.create(job);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: JSON.stringify({ task: job.task, input: job.input, jobId: job.id }),
      }),
    );
    mapping.start();

    const ended = await eventually(
      () => store.get(job.id),
      (j) => j?.status === 'succeeded',
    );
    expect(ended).toMatchObject({ status: 'succeeded', attempts: 1, callback: { status: 'pending' } });
    expect(ended!.callback!.queuedAt).toBeUndefined();
    // The job's message was returned, not deleted: the only thing that can still tell the deliverer.
    const depth = await jobsQueue.depth();
    expect(depth.inFlight + depth.visible).toBe(1);

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: callbacksName }));
    const backAt = Date.now();
    const announced = await eventually(
      () => store.get(job.id),
      (j) => j?.callback?.queuedAt !== undefined,
    );
    expect(Date.parse(announced!.callback!.queuedAt!) - backAt).toBeLessThan(10_000);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ jobId: job.id }]);
    // Run once, its message gone, and nothing queued twice.
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 1 });
    await eventually(
      () => jobsQueue.depth(),
      (d) => d.inFlight + d.visible === 0,
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(again.Messages ?? []).toEqual([]);
  });
});
