import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger';
import { deliverJob, refuseMessage } from '../jobs/attempt/deliver-job';
import type { AttemptDependencies, Delivery, DeliveryOutcome } from '../jobs/attempt/delivery';
import type { JobMetrics } from '../jobs/job-metrics';
import type { JobStore } from '../jobs/job-store';
import type { CallbackQueue } from '../queue/callback-queue';
import type { JobQueue } from '../queue/job-queue';
import { receiveCountOf, redeliveryPauseSeconds } from '../queue/redelivery';
import { runProcess } from '../process/run-process';
import type { RunOptions, RunResult } from '../process/run-process';
import type { Catalogue } from '../tasks/catalogue';
import { parseMessage } from './parse-message';
import { keyLoadReader } from '../jobs/concurrency-keys';
import { reasonOf } from '../reason-of';

/** `done`: delete the message. `retry`: report it in batchItemFailures so SQS delivers it again. */
export type Outcome = 'done' | 'retry';

export interface ConsumerOptions {
  store: JobStore;
  catalogue: Catalogue;
  logger: Logger;
  /** The queue's redrive limit: at this receive count a failing message goes to the DLQ next. */
  maxReceiveCount: number;
  /**
   * The jobs queue, to set a received message's visibility (the backoff before a retry, the lease of
   * a running attempt) and to send a delayed job's message on until its time. Without it a retry
   * waits for the queue's visibility timeout.
   */
  queue?: Pick<JobQueue, 'changeVisibility' | 'send'>;
  /** Where a final job that asked for a completion callback is announced. */
  callbacks?: Pick<CallbackQueue, 'send'>;
  /** Told of every job this runner finishes (deployed: CloudWatch metrics). */
  metrics?: JobMetrics;
  /** The process runner (lib/process/run-process.ts: the task spawned and supervised to its end). */
  run?: (options: RunOptions) => Promise<RunResult>;
  /** How often a running job checks for a cancel request. */
  cancelPollMs?: number;
  /**
   * How long a running attempt holds its job without renewing: its claim's lease and its message's
   * visibility, both renewed every third of it while the process runs. A runner that dies (its
   * process, its machine) lets the job run again within this time.
   */
  leaseMs?: number;
  /** Parent of each task's working directory (default: the OS temp directory). */
  workRoot?: string;
  owner?: string;
  /** Draws the jitter of retry pauses. */
  random?: () => number;
}

/**
 * The consumer: speaks SQS and nothing else, as sqs-consumer's processMessage does. It reads a
 * record into a delivery, hands it to the job's domain (lib/jobs/attempt/deliver-job.ts, which
 * decides and writes everything about the job), and applies the outcome to the message: delete it,
 * change its visibility, or send the job's message on.
 */
export function createMessageConsumer(options: ConsumerOptions) {
  const { logger, maxReceiveCount, queue } = options;
  const deps: AttemptDependencies = {
    store: options.store,
    catalogue: options.catalogue,
    run: options.run ?? runProcess,
    callbacks: options.callbacks,
    metrics: options.metrics,
    leaseMs: options.leaseMs ?? 30_000,
    cancelPollMs: options.cancelPollMs ?? 250,
    workRoot: options.workRoot,
    owner: options.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    random: options.random ?? Math.random,
    keyLoad: keyLoadReader(() => options.store.keyLoad()),
    wake: queue && ((message) => queue.send(message)),
  };

  /** Leaves the message invisible for `seconds` more and returns it to the queue. */
  async function holdMessage(log: Logger, message: SQSRecord, seconds: number): Promise<Outcome> {
    await queue?.changeVisibility(message.receiptHandle, seconds).catch((error: unknown) => {
      log.warn({ event: 'visibility-failed', err: error }, 'could not set the message visibility');
    });
    return 'retry';
  }

  /** What the domain's outcome asks of SQS. */
  async function apply(log: Logger, message: SQSRecord, outcome: DeliveryOutcome): Promise<Outcome> {
    switch (outcome.kind) {
      case 'done':
        return 'done';
      case 'return':
        return 'retry';
      case 'hold':
        return holdMessage(log, message, outcome.seconds);
      case 'send-on':
        // A new message, delayed for the rest, and this one deleted: the wait never counts toward
        // the dead-letter queue's receive limit. Without the queue, the message waits out the time.
        if (!queue) return holdMessage(log, message, outcome.delaySeconds);
        await queue.send(outcome.message, { delaySeconds: outcome.delaySeconds });
        return 'done';
    }
  }

  async function deliver(message: SQSRecord): Promise<Outcome> {
    const receiveCount = receiveCountOf(message);
    const parsed = parseMessage(message);
    if (parsed.kind === 'unreadable') {
      // Kept for a person to look at: it goes to the DLQ after the redrive limit.
      logger.error({ event: 'unreadable', messageId: message.messageId, receiveCount }, parsed.reason);
      return 'retry';
    }
    const log = logger.child({ jobId: parsed.jobId, messageId: message.messageId });
    if (parsed.kind === 'invalid') return apply(log, message, await refuseMessage(deps, log, parsed));
    const delivery: Delivery = {
      jobId: parsed.jobId,
      task: parsed.task,
      input: parsed.input,
      ...(parsed.concurrencyKey !== undefined ? { concurrencyKey: parsed.concurrencyKey } : {}),
      fromSubmit: parsed.fromSubmit,
      receiveCount,
      lastDelivery: receiveCount >= maxReceiveCount,
      keepMessage: queue && ((seconds) => queue.changeVisibility(message.receiptHandle, seconds)),
    };
    return apply(log, message, await deliverJob(deps, log, delivery));
  }

  /**
   * A delivery that failed before or after its attempt (the store did not answer, most often): the
   * message comes back in seconds, doubling with each receive up to a minute, not after the queue's
   * visibility timeout.
   */
  async function handleMessage(message: SQSRecord): Promise<Outcome> {
    try {
      return await deliver(message);
    } catch (error) {
      const receiveCount = receiveCountOf(message);
      const retryInSeconds = redeliveryPauseSeconds(message);
      logger.error(
        { event: 'delivery-failed', messageId: message.messageId, receiveCount, retryInSeconds, err: error },
        `could not handle the message (${reasonOf(error)}); it comes back in ${retryInSeconds} s`,
      );
      return holdMessage(logger, message, retryInSeconds);
    }
  }

  return { handleMessage };
}

export type MessageConsumer = ReturnType<typeof createMessageConsumer>;
