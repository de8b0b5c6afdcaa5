import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import PQueue from 'p-queue';
import { createMicroBatcher } from '../micro-batch';

/** The log lines the mapping writes: one object of fields and one message each. */
export interface MappingLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The settings of one `sqs` event of a function, as serverless.yml states them. */
export interface EventSourceSettings {
  batchSize: number;
  /** Seconds to gather a fuller batch (maximumBatchingWindow). */
  maximumBatchingWindow: number;
  /** Invocations in flight at most: min(maximumConcurrency, reservedConcurrency). */
  concurrency: number;
  reportBatchItemFailures: boolean;
  /**
   * Batches held ready beyond the free slots (default 0): with one per slot, a slot that frees up
   * starts its next batch at once instead of after a ReceiveMessage round trip. Lambda's pollers hold
   * received messages before invoking too; held messages stay invisible in the queue, and a stop
   * hands them back. While every slot is busy, the look-ahead is refilled once half of it is gone,
   * with one receive, rather than after every batch.
   */
  lookAhead?: number;
}

export interface EventSourceMappingOptions extends EventSourceSettings {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Invokes the function with a batch, as Lambda would; throws for a function error. */
  invoke: (event: SQSEvent) => Promise<unknown>;
  logger: MappingLogger;
  /**
   * Long-poll wait per receive (SQS allows at most 20 s). Also how long a graceful stop can take:
   * receives in flight are allowed to finish, because ElasticMQ hands a message to a long poll whose
   * client has gone, and that message then stays invisible for the whole visibility timeout.
   */
  waitTimeSeconds?: number;
  /**
   * How long a delete waits for others to share its DeleteMessageBatch call (default 20 ms). Nothing
   * waits for a delete (the function has returned, its slot is free), and the message stays
   * invisible meanwhile (its visibility timeout or its lease is far longer), so deletes of jobs that
   * end a few milliseconds apart cost one call to the queue instead of one each.
   */
  deleteWindowMs?: number;
  /** Backoff after a receive error grows from this to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface EventSourceMapping {
  start(): void;
  /**
   * Stops receiving. `drain` (default true): wait for the invocations in flight and the batches held
   * for them; false hands held batches back to the queue at once. `graceful` (default
   * true): let receives in flight finish and put what they got straight back in the queue; false
   * aborts them at once (for a shutdown that stops the queue too).
   */
  stop(options?: { drain?: boolean; graceful?: boolean }): Promise<void>;
}

/** The record Lambda's SQS poller builds from a received message (also the deployed-path test's). */
export function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
          dataType: value.DataType ?? 'String',
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records of a batch to keep in the queue, read from the function's response the way Lambda
 * does: with ReportBatchItemFailures, a response naming an id that is not in the batch (or not a
 * valid response) fails the whole batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export function failedIds(
  records: SQSRecord[],
  response: unknown,
  reportBatchItemFailures: boolean,
): Set<string> {
  const all = new Set(records.map((r) => r.messageId));
  if (!reportBatchItemFailures) return new Set();
  if (response === null || response === undefined) return new Set();
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

/**
 * A local stand-in for Lambda's SQS event source mapping: long-polls the queue, hands batches to
 * the function with at most `concurrency` invocations in flight (AWS's maximumConcurrency), deletes
 * only the records that succeeded, and leaves the rest to reappear after the visibility timeout (and
 * reach the DLQ through the queue's redrive policy). It never receives more than free slots can take,
 * so no message waits out its visibility timeout inside this process.
 */
export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { sqs, queueUrl, logger } = options;
  const waitTimeSeconds = options.waitTimeSeconds ?? 5;
  const minBackoffMs = options.minBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const slots = new PQueue({ concurrency: options.concurrency });
  let running = false;
  let abort = new AbortController();
  /** Cuts a backoff pause short when the mapping stops. */
  let pause = new AbortController();
  let loop: Promise<void> | undefined;
  const deletions = new Set<Promise<void>>();

  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return out.Messages ?? [];
  }

  /** Receives up to `free` batches' worth, waiting up to the batching window to fill them. */
  async function gather(free: number): Promise<Message[]> {
    const wanted = free * options.batchSize;
    const messages = await receive(wanted, waitTimeSeconds);
    if (messages.length === 0 || options.maximumBatchingWindow <= 0) return messages;
    const deadline = Date.now() + options.maximumBatchingWindow * 1000;
    while (running && messages.length < wanted && Date.now() < deadline) {
      const waitSeconds = Math.min(20, Math.floor((deadline - Date.now()) / 1000));
      messages.push(...(await receive(wanted - messages.length, waitSeconds)));
      if (waitSeconds === 0) await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
    return messages;
  }

  /** Deletes of invocations that end at about the same time share DeleteMessageBatch calls. */
  const deleteBatched = createMicroBatcher<string>(
    async (receiptHandles) => {
      const out = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
        }),
      );
      for (const failure of out.Failed ?? []) {
        logger.warn(
          { event: 'esm-delete-failed', code: failure.Code },
          `could not delete a message: ${failure.Message}`,
        );
      }
      return [];
    },
    { windowMs: options.deleteWindowMs ?? 20 },
  );

  async function deleteRecords(records: SQSRecord[]): Promise<void> {
    await Promise.all(records.map((r) => deleteBatched(r.receiptHandle)));
  }

  async function invokeBatch(records: SQSRecord[]): Promise<void> {
    let response: unknown;
    try {
      response = await options.invoke({ Records: records });
    } catch (error) {
      // A function error returns the whole batch: SQS makes it visible again after the timeout.
      logger.error(
        { event: 'esm-invoke-failed', records: records.length, err: error },
        'consumer invocation failed; the batch returns to the queue after its visibility timeout',
      );
      return;
    }
    const failed = failedIds(records, response, options.reportBatchItemFailures);
    // The slot is free once the function returned: delete in the background, so the next batch
    // does not wait for it (stop() still waits for pending deletes).
    const deletion = deleteRecords(records.filter((r) => !failed.has(r.messageId))).catch(
      (error: unknown) => {
        logger.error(
          { event: 'esm-delete-failed', err: error },
          'could not delete processed messages; they will be delivered again',
        );
      },
    );
    deletions.add(deletion);
    void deletion.finally(() => deletions.delete(deletion));
  }

  /** Makes messages received during a stop visible again at once, instead of after the timeout. */
  async function returnToQueue(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      await sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, n) => ({
              Id: String(n),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        )
        .catch(() => undefined);
    }
  }

  const lookAhead = options.lookAhead ?? 0;
  const refillAt = Math.max(1, Math.ceil(lookAhead / 2));
  /** Batches received and waiting for a slot (look-ahead), so a stop can hand them back. */
  const held = new Set<SQSRecord[]>();

  function dispatch(batch: SQSRecord[]): void {
    held.add(batch);
    void slots.add(() => {
      held.delete(batch);
      return invokeBatch(batch);
    });
  }

  /** Slots promised to receives in flight: never receive more than the free slots can take. */
  let reserved = 0;
  /** Receives in flight (counted here, not by their promises, so the count is exact when woken). */
  let receiving = 0;
  let backoff = 0;
  let wake: () => void = () => undefined;
  slots.on('next', () => wake());

  /** One receive for `free` slots; hands what it got to the slots, then gives the reservation back. */
  async function receiveInto(free: number): Promise<void> {
    try {
      const messages = await gather(free);
      if (!running) {
        await returnToQueue(messages);
        return;
      }
      if (backoff > 0) logger.info({ event: 'esm-recovered' }, 'receiving from the queue again');
      backoff = 0;
      const records = messages.map((m) => toRecord(m, options.queueArn, options.region));
      for (let i = 0; i < records.length; i += options.batchSize) {
        dispatch(records.slice(i, i + options.batchSize));
      }
    } catch (error) {
      if (!running) return;
      backoff = Math.min(maxBackoffMs, backoff === 0 ? minBackoffMs : backoff * 2);
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        { event: 'esm-receive-failed', retryInMs: backoff },
        `cannot receive from the queue (${reason}); retrying in ${backoff} ms`,
      );
      await sleep(backoff, undefined, { signal: pause.signal }).catch(() => undefined);
    } finally {
      reserved -= free;
      receiving -= 1;
      wake();
    }
  }

  /**
   * Starts a receive whenever a slot is free, without waiting for other receives in flight (as
   * Lambda's several pollers do), so a slot that frees up is refilled after one receive's latency.
   */
  async function poll(): Promise<void> {
    const receivers = new Set<Promise<void>>();
    while (running) {
      const free = options.concurrency + lookAhead - slots.pending - slots.size - reserved;
      // While every slot has a batch running and enough are held for the next ones, wait until half
      // the look-ahead is gone and refill it with one receive, instead of one receive per finished
      // batch (each ReceiveMessage costs both this process and the queue server).
      const slotWithoutBatch = slots.pending + reserved < options.concurrency - slots.size;
      const worthAReceive = slotWithoutBatch || free >= refillAt;
      // After a receive error, one receiver at a time until the queue answers again.
      if (free <= 0 || !worthAReceive || (backoff > 0 && receiving > 0)) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      reserved += free;
      receiving += 1;
      const receiver = receiveInto(free);
      receivers.add(receiver);
      void receiver.finally(() => receivers.delete(receiver));
    }
    await Promise.all(receivers);
  }

  return {
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      pause = new AbortController();
      loop = poll();
    },
    async stop({ drain = true, graceful = true } = {}) {
      running = false;
      pause.abort();
      if (!graceful) abort.abort();
      wake(); // the poll loop may be waiting for a free slot
      await loop;
      if (!drain) {
        // Batches still waiting for a slot were never invoked: they go back to the queue now.
        slots.clear();
        const waiting = [...held].flat();
        held.clear();
        await returnToQueue(waiting.map((r) => ({ ReceiptHandle: r.receiptHandle })));
      } else {
        await slots.onIdle();
      }
      await Promise.all(deletions);
    },
  };
}
