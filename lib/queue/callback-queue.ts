import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueUnavailableError } from './queue-errors';

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
  const { sqs, queueName } = options;
  const bounded = () => ({ abortSignal: AbortSignal.timeout(options.callTimeoutMs ?? 10_000) });
  let url: Promise<string> | undefined;
  const queueUrl = () => {
    if (options.queueUrl) return Promise.resolve(options.queueUrl);
    url ??= sqs.send(new GetQueueUrlCommand({ QueueName: queueName }), bounded()).then((out) => {
      if (!out.QueueUrl) throw new Error(`no URL for queue ${queueName}`);
      return out.QueueUrl;
    });
    url.catch(() => (url = undefined));
    return url;
  };
  const guarded = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new QueueUnavailableError(`queue ${queueName} is unavailable: ${reason}`, queueName, {
        cause: error,
      });
    }
  };
  return {
    send: (jobId) =>
      guarded(async () =>
        sqs.send(
          new SendMessageCommand({ QueueUrl: await queueUrl(), MessageBody: JSON.stringify({ jobId }) }),
          bounded(),
        ),
      ),
    changeVisibility: (receiptHandle, seconds) =>
      guarded(async () =>
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: await queueUrl(),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
          }),
          bounded(),
        ),
      ),
  };
}
