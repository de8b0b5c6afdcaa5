import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueUnavailableError } from './queue-errors';

/** One SQS queue by name: its URL resolved once when not given, every call bounded in time. */
export interface NamedQueue {
  name: string;
  url(): Promise<string>;
  /** Options for `sqs.send`: the call's time bound (waiting for a connection included). */
  bounded(): { abortSignal: AbortSignal };
  /** What fails in `call` becomes QueueUnavailableError naming this queue. */
  guard<T>(call: () => Promise<T>): Promise<T>;
  /**
   * Makes a received message visible again after `seconds` (a retry's backoff, a lease, the pause
   * before the next try); its receive count stays, so the redrive policy still guards it.
   */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

function unavailable(queue: string, cause: unknown): QueueUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new QueueUnavailableError(`queue ${queue} is unavailable: ${reason}`, queue, { cause });
}

export function namedQueue(options: {
  sqs: SQSClient;
  name: string;
  url?: string;
  callTimeoutMs?: number;
}): NamedQueue {
  const { sqs, name } = options;
  const bounded = () => ({ abortSignal: AbortSignal.timeout(options.callTimeoutMs ?? 10_000) });
  let resolving: Promise<string> | undefined;
  const url = () => {
    if (options.url) return Promise.resolve(options.url);
    if (!resolving) {
      resolving = sqs.send(new GetQueueUrlCommand({ QueueName: name }), bounded()).then((out) => {
        if (!out.QueueUrl) throw new Error(`no URL for queue ${name}`);
        return out.QueueUrl;
      });
      // A failed lookup is tried again by the next call.
      resolving.catch(() => (resolving = undefined));
    }
    return resolving;
  };
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw unavailable(name, error);
    }
  };
  return {
    name,
    url,
    bounded,
    guard,
    changeVisibility: (receiptHandle, seconds) =>
      guard(async () => {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: await url(),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
          }),
          bounded(),
        );
      }),
  };
}
