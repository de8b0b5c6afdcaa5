import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lib/config';
import { createEventSourceMapping } from '../../lib/local/event-source-mapping';
import type { EventSourceMappingOptions } from '../../lib/local/event-source-mapping';
import { createJobQueue } from '../../lib/queue/job-queue';
import { createSqsClient } from '../../lib/queue/sqs-client';
import { createLogger } from '../../lib/logger';

/** The ElasticMQ the global setup started for this test run. */
export function testEndpoint(): string {
  const endpoint = process.env.TEST_SQS_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'TEST_SQS_ENDPOINT is not set: run the tests through jest (global setup starts ElasticMQ)',
    );
  return endpoint;
}

export function testSqs(): SQSClient {
  return createSqsClient(loadConfig({ SQS_ENDPOINT: testEndpoint() }), { requestTimeoutMs: 25_000 });
}

export interface TestQueues {
  name: string;
  url: string;
  arn: string;
  deadLetterName: string;
  deadLetterUrl: string;
}

/** A fresh jobs queue and dead-letter queue on the test ElasticMQ, as serverless.yml declares them. */
export async function createTestQueues(
  sqs: SQSClient,
  options: { visibilityTimeout?: number; maxReceiveCount?: number } = {},
): Promise<TestQueues> {
  const suffix = randomBytes(4).toString('hex');
  const deadLetterName = `test-dlq-${suffix}`;
  const deadLetter = await sqs.send(new CreateQueueCommand({ QueueName: deadLetterName }));
  const deadLetterArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetter.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const name = `test-jobs-${suffix}`;
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: options.maxReceiveCount ?? 3,
        }),
      },
    }),
  );
  const arn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  return { name, url: created.QueueUrl!, arn: arn!, deadLetterName, deadLetterUrl: deadLetter.QueueUrl! };
}

/** Polls until `check` passes or `timeoutMs` runs out; returns its last value. */
export async function eventually<T>(
  check: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await check();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await check();
  }
  return value;
}

/** The jobs queue port over test queues (the consumer's `queue`). */
export function testJobQueue(sqs: SQSClient, queues: TestQueues) {
  return createJobQueue({
    sqs,
    queueUrl: queues.url,
    queueName: queues.name,
    deadLetterQueueUrl: queues.deadLetterUrl,
    deadLetterQueueName: queues.deadLetterName,
  });
}

/**
 * The local event source mapping over test queues, as serverless.yml configures the consumer's (one
 * record per batch, no batching window, partial batch failures, 4 at once), polling every second.
 */
export function testMapping(
  sqs: SQSClient,
  queues: TestQueues,
  invoke: EventSourceMappingOptions['invoke'],
  overrides: Partial<EventSourceMappingOptions> = {},
) {
  return createEventSourceMapping({
    sqs,
    queueUrl: queues.url,
    queueArn: queues.arn,
    region: 'us-east-1',
    batchSize: 1,
    maximumBatchingWindow: 0,
    concurrency: 4,
    reportBatchItemFailures: true,
    waitTimeSeconds: 1,
    logger: createLogger({ level: 'silent' }),
    invoke,
    ...overrides,
  });
}
