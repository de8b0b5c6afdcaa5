import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createMicroBatcher } from './micro-batch';
import { QueueUnavailableError } from './queue-errors';

/** The body of a message on the jobs queue (see docs/API.md, "Queue message contract"). */
export interface JobMessage {
  task: string;
  input: Record<string, unknown>;
  jobId?: string;
}

export interface QueueDepth {
  /** Messages waiting to be received. */
  visible: number;
  /** Received and not yet deleted: being worked on, or waiting out a visibility timeout. */
  inFlight: number;
  delayed: number;
  /** Messages in the dead-letter queue. */
  deadLetter: number;
}

/** SQS delays a message at most this long; a later time is reached by sending it on again. */
export const MAX_DELAY_SECONDS = 900;

export interface JobQueue {
  /** `delaySeconds` (at most 900): the message is received no earlier than that. */
  send(message: JobMessage, options?: { delaySeconds?: number }): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** One real call to the jobs queue (GetQueueAttributes); throws QueueUnavailableError. */
  ping(): Promise<void>;
  /**
   * Makes a received message of the jobs queue visible again after `seconds` (a retry's backoff, or
   * a running job's lease); its receive count stays, so the redrive policy still guards it.
   */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /** Moves the dead-letter queue's messages back to the jobs queue; answers how many it moved. */
  redrive(): Promise<{ moved: number }>;
}

export interface JobQueueOptions {
  sqs: SQSClient;
  queueUrl?: string;
  queueName: string;
  deadLetterQueueUrl?: string;
  deadLetterQueueName: string;
  /** Upper bound of one call, waiting for a connection included; keeps a submit under API Gateway's 29 s. */
  callTimeoutMs?: number;
}

function unavailable(queue: string, cause: unknown): QueueUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new QueueUnavailableError(`queue ${queue} is unavailable: ${reason}`, queue, { cause });
}

/** The jobs queue and its dead-letter queue. Queue URLs are resolved once, by name, when not given. */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { sqs } = options;
  const bounded = () => ({ abortSignal: AbortSignal.timeout(options.callTimeoutMs ?? 10_000) });
  const urls = new Map<string, Promise<string>>();

  function resolveUrl(name: string, given: string | undefined): Promise<string> {
    if (given) return Promise.resolve(given);
    let url = urls.get(name);
    if (!url) {
      url = sqs.send(new GetQueueUrlCommand({ QueueName: name }), bounded()).then((out) => {
        if (!out.QueueUrl) throw new Error(`no URL for queue ${name}`);
        return out.QueueUrl;
      });
      urls.set(name, url);
      url.catch(() => urls.delete(name));
    }
    return url;
  }

  const jobsUrl = () => resolveUrl(options.queueName, options.queueUrl);
  const deadLetterUrl = () => resolveUrl(options.deadLetterQueueName, options.deadLetterQueueUrl);

  async function attributes(url: string, names: string[]): Promise<Record<string, string>> {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }),
      bounded(),
    );
    return out.Attributes ?? {};
  }

  /** Concurrent submits share SendMessageBatch calls: one request per 10 messages under a burst. */
  const sendBatched = createMicroBatcher<{ body: string; delaySeconds?: number }>(async (bodies) => {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: await jobsUrl(),
        Entries: bodies.map(({ body, delaySeconds }, i) => ({
          Id: String(i),
          MessageBody: body,
          ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
        })),
      }),
      bounded(),
    );
    const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
    return bodies.map((_, i) => {
      const failure = failed.get(String(i));
      return failure ? new Error(`${failure.Code}: ${failure.Message ?? 'not sent'}`) : undefined;
    });
  });

  async function queueArn(url: string): Promise<string> {
    const arn = (await attributes(url, ['QueueArn'])).QueueArn;
    if (!arn) throw new Error('the queue has no ARN');
    return arn;
  }

  /**
   * SQS's own redrive (StartMessageMoveTask, which ElasticMQ has had since 1.6): it runs in the
   * background, so this waits for the task to end, then reads how many it moved.
   */
  async function moveTask(): Promise<number> {
    const [sourceArn, destinationArn] = await Promise.all([
      deadLetterUrl().then(queueArn),
      jobsUrl().then(queueArn),
    ]);
    const before = Number(
      (await attributes(await deadLetterUrl(), ['ApproximateNumberOfMessages']))
        .ApproximateNumberOfMessages ?? 0,
    );
    if (before === 0) return 0;
    const started = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
      bounded(),
    );
    const deadline = Date.now() + (options.callTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      const { Results = [] } = await sqs.send(
        new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
        bounded(),
      );
      const task =
        Results.find((r) => r.TaskHandle !== undefined && r.TaskHandle === started.TaskHandle) ?? Results[0];
      if (task && task.Status !== 'RUNNING') {
        if (task.Status === 'FAILED') throw new Error(task.FailureReason ?? 'the move task failed');
        return Number(task.ApproximateNumberOfMessagesMoved ?? before);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return before;
  }

  return {
    async changeVisibility(receiptHandle, seconds) {
      try {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: await jobsUrl(),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
          }),
          bounded(),
        );
      } catch (error) {
        throw unavailable(options.queueName, error);
      }
    },
    async redrive() {
      try {
        return { moved: await moveTask() };
      } catch (error) {
        throw unavailable(options.deadLetterQueueName, error);
      }
    },
    async send(message, { delaySeconds } = {}) {
      try {
        const delay = delaySeconds && Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)));
        await sendBatched({ body: JSON.stringify(message), delaySeconds: delay || undefined });
      } catch (error) {
        throw unavailable(options.queueName, error);
      }
    },
    async ping() {
      try {
        await attributes(await jobsUrl(), ['ApproximateNumberOfMessages']);
      } catch (error) {
        throw unavailable(options.queueName, error);
      }
    },
    async depth() {
      try {
        const [jobs, dead] = await Promise.all([
          jobsUrl().then((url) =>
            attributes(url, [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ]),
          ),
          deadLetterUrl().then((url) => attributes(url, ['ApproximateNumberOfMessages'])),
        ]);
        return {
          visible: Number(jobs.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(jobs.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(jobs.ApproximateNumberOfMessagesDelayed ?? 0),
          deadLetter: Number(dead.ApproximateNumberOfMessages ?? 0),
        };
      } catch (error) {
        throw unavailable(options.queueName, error);
      }
    },
  };
}
