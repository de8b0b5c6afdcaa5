import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../lib/config';
import { createJobQueue } from '../../../lib/queue/job-queue';
import { QueueUnavailableError } from '../../../lib/queue/queue-errors';
import { createSqsClient } from '../../../lib/queue/sqs-client';
import { freePort } from '../../../lib/local/ports';
import { createTestQueues, testSqs } from '../../helpers/elasticmq';

describe('job queue on the real ElasticMQ', () => {
  const sqs = testSqs();

  it('sends a job message that a receiver gets back intact', async () => {
    const queues = await createTestQueues(sqs);
    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    const message = {
      task: 'echo',
      input: { text: 'through ElasticMQ' },
      jobId: '01a22357-c75e-7952-a5f3-52febc9b27c8',
    };
    await queue.send(message);
    await expect(queue.depth()).resolves.toEqual({ visible: 1, inFlight: 0, delayed: 0, deadLetter: 0 });

    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.url, WaitTimeSeconds: 2 }));
    expect(received.Messages).toHaveLength(1);
    expect(JSON.parse(received.Messages![0]!.Body!)).toEqual(message);
    await expect(queue.depth()).resolves.toMatchObject({ visible: 0, inFlight: 1 });
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queues.url, ReceiptHandle: received.Messages![0]!.ReceiptHandle }),
    );
    await expect(queue.depth()).resolves.toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('fails fast with QueueUnavailableError when nothing answers', async () => {
    const port = await freePort();
    const dead = createSqsClient(loadConfig({ SQS_ENDPOINT: `http://127.0.0.1:${port}` }));
    const queue = createJobQueue({ sqs: dead, queueName: 'jobs', deadLetterQueueName: 'jobs-dead-letters' });
    const started = Date.now();
    await expect(queue.ping()).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(queue.send({ task: 'echo', input: {} })).rejects.toThrow(/queue jobs is unavailable/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sends messages given in the same tick as SendMessageBatch calls of at most 10', async () => {
    const queues = await createTestQueues(sqs);
    const calls: string[] = [];
    const counting = Object.create(sqs) as typeof sqs;
    counting.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      calls.push(command.constructor.name);
      return (sqs.send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof sqs.send;
    const queue = createJobQueue({
      sqs: counting,
      queueUrl: queues.url,
      queueName: queues.name,
      deadLetterQueueName: queues.deadLetterName,
    });
    await Promise.all(Array.from({ length: 25 }, (_, i) => queue.send({ task: 'echo', input: { n: i } })));
    expect(calls).toEqual(['SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
    await expect(queue.depth()).resolves.toMatchObject({ visible: 25 });
  });

  it("sets a received message's visibility: it comes back after that many seconds, its receive count kept", async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeout: 3960 });
    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    await queue.send({ task: 'echo', input: {} });
    const receive = () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.url,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
    const first = (await receive()).Messages![0]!;
    await queue.changeVisibility(first.ReceiptHandle!, 1);
    expect((await receive()).Messages ?? []).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = (await receive()).Messages![0]!;
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it("moves the dead-letter queue's messages back to the jobs queue and says how many (StartMessageMoveTask)", async () => {
    const queues = await createTestQueues(sqs);
    const queue = createJobQueue({ sqs, queueName: queues.name, deadLetterQueueName: queues.deadLetterName });
    await expect(queue.redrive()).resolves.toEqual({ moved: 0 });
    for (let i = 0; i < 3; i += 1) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues.deadLetterUrl, MessageBody: `{"n":${i}}` }));
    }
    await expect(queue.depth()).resolves.toMatchObject({ visible: 0, deadLetter: 3 });
    await expect(queue.redrive()).resolves.toEqual({ moved: 3 });
    await expect(queue.depth()).resolves.toMatchObject({ visible: 3, deadLetter: 0 });
  });
});
