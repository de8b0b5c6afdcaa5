import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { namedQueue } from './named-queue';

/** The queue of completion callbacks: one message `{ jobId }` per final job that asked for one. */
export interface CallbackQueue {
  send(jobId: string): Promise<void>;
  /** Makes a received message visible again after `seconds` (the pause before the next try). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

export function createCallbackQueue(options: {
  sqs: SQSClient;
  queueUrl?: string;
  queueName: string;
  callTimeoutMs?: number;
}): CallbackQueue {
  const queue = namedQueue({ ...options, name: options.queueName, url: options.queueUrl });
  return {
    send: (jobId) =>
      queue.guard(async () => {
        await options.sqs.send(
          new SendMessageCommand({ QueueUrl: await queue.url(), MessageBody: JSON.stringify({ jobId }) }),
          queue.bounded(),
        );
      }),
    changeVisibility: queue.changeVisibility,
  };
}
