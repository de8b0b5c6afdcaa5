import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lib/config';
import { createSqsClient } from '../../lib/queue/sqs-client';

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
