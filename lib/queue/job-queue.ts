import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createMicroBatcher } from '../micro-batch';
import { namedQueue } from './named-queue';

/** The body of a message on the jobs queue (see docs/API.md, "Queue message contract"). */
export interface JobMessage {
  task: string;
  input: Record<string, unknown>;
  jobId?: string;
  /** The job's concurrency key (lib/jobs/concurrency-keys.ts), for a producer that sends without a record. */
  concurrencyKey?: string;
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

/** The job id a message body names, if it names one. */
function jobIdOf(body: string | undefined): string | undefined {
  try {
    const jobId = (JSON.parse(body ?? '') as { jobId?: unknown }).jobId;
    return typeof jobId === 'string' ? jobId : undefined;
  } catch {
    return undefined;
  }
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
  /**
   * The job ids of the messages in the dead-letter queue (up to `max`), read without taking them: each
   * is received with a visibility timeout of 0, so it stays there for a redrive.
   */
  deadLetteredJobIds(max?: number): Promise<Set<string>>;
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

/** The jobs queue and its dead-letter queue. Queue URLs are resolved once, by name, when not given. */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { sqs } = options;
  const jobs = namedQueue({
    sqs,
    name: options.queueName,
    url: options.queueUrl,
    callTimeoutMs: options.callTimeoutMs,
  });
  const deadLetters = namedQueue({
    sqs,
    name: options.deadLetterQueueName,
    url: options.deadLetterQueueUrl,
    callTimeoutMs: options.callTimeoutMs,
  });
  const { bounded } = jobs;
  const jobsUrl = jobs.url;
  const deadLetterUrl = deadLetters.url;

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

  /** Up to `max` job ids from the dead-letter queue; stops when a receive brings none it had not seen. */
  async function peekDeadLetters(max: number): Promise<Set<string>> {
    const ids = new Set<string>();
    const url = await deadLetterUrl();
    while (ids.size < max) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        bounded(),
      );
      const before = ids.size;
      for (const message of Messages) {
        const jobId = jobIdOf(message.Body);
        if (jobId) ids.add(jobId);
      }
      if (Messages.length === 0 || ids.size === before) break;
    }
    return ids;
  }

  return {
    changeVisibility: jobs.changeVisibility,
    deadLetteredJobIds: (max = 100) => deadLetters.guard(() => peekDeadLetters(max)),
    redrive: () => deadLetters.guard(async () => ({ moved: await moveTask() })),
    send: (message, { delaySeconds } = {}) =>
      jobs.guard(async () => {
        const delay = delaySeconds && Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)));
        await sendBatched({ body: JSON.stringify(message), delaySeconds: delay || undefined });
      }),
    ping: () =>
      jobs.guard(async () => {
        await attributes(await jobsUrl(), ['ApproximateNumberOfMessages']);
      }),
    depth: () =>
      jobs.guard(async () => {
        const [counts, dead] = await Promise.all([
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
          visible: Number(counts.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(counts.ApproximateNumberOfMessagesDelayed ?? 0),
          deadLetter: Number(dead.ApproximateNumberOfMessages ?? 0),
        };
      }),
  };
}
