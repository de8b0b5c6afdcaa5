import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DEAD_LETTERED_ERROR, reconcileQueue } from '../../../lib/jobs/reconcile-queue';
import { createJobQueue } from '../../../lib/queue/job-queue';
import { createTestQueues, testSqs } from '../../helpers/elasticmq';
import { STORE_KINDS, testStore } from '../../helpers/job-stores';
import type { TestStore } from '../../helpers/job-stores';
import { queuedJob } from '../../helpers/jobs';

/**
 * The reconciler against the real ElasticMQ and both stores: a job whose last delivery gave up while
 * the store was down (its message in the dead-letter queue, its record still queued) ends failed,
 * saying so, and is not sent again; a job whose message is gone is.
 */
describe.each(STORE_KINDS)('reconcileQueue on the real ElasticMQ and store (%s)', (kind) => {
  const sqs = testSqs();
  let subject: TestStore;
  beforeEach(async () => {
    subject = await testStore(kind);
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('fails a waiting job whose message is in the dead-letter queue, saying so, and sends a lost one again', async () => {
    const queues = await createTestQueues(sqs);
    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    const past = new Date(Date.now() - 120_000).toISOString();
    const deadLettered = queuedJob({ queuedAt: past });
    const lost = queuedJob({ queuedAt: past });
    await subject.store.create(deadLettered);
    await subject.store.create(lost);
    // Its last delivery gave up while the store was down: the message is in the DLQ, the record queued.
    const body = JSON.stringify({
      task: deadLettered.task,
      input: deadLettered.input,
      jobId: deadLettered.id,
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.deadLetterUrl, MessageBody: body }));

    await expect(reconcileQueue({ store: subject.store, queue })).resolves.toEqual({
      sent: 1,
      deadLettered: 1,
    });
    await expect(subject.store.get(deadLettered.id)).resolves.toMatchObject({
      status: 'failed',
      error: DEAD_LETTERED_ERROR,
    });
    // The message stays for a redrive; the lost job's message is back on the jobs queue.
    await expect(queue.depth()).resolves.toMatchObject({ visible: 1, deadLetter: 1 });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.url }));
    expect(JSON.parse(received.Messages![0]!.Body!)).toMatchObject({ jobId: lost.id });
    // A second pass finds nothing more to do.
    await expect(reconcileQueue({ store: subject.store, queue })).resolves.toEqual({
      sent: 0,
      deadLettered: 0,
    });
  });
});
