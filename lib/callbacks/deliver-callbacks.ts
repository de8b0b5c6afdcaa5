import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger';
import { isJobId } from '../jobs/job-id';
import type { CallbackState, JobRecord } from '../jobs/job-record';
import { isFinal } from '../jobs/job-record';
import { jobView } from '../jobs/job-view';
import type { JobStore } from '../jobs/job-store';
import { CallbackRefusedError, parseCallbackUrl } from './callback-target';
import { postCallback } from './post-callback';
import type { PostCallback } from './post-callback';
import type { CallbackSecret } from './callback-secret';
import { SIGNATURE_HEADER, signCallback } from './signature';
import { reasonOf } from '../reason-of';

/** A failed delivery is tried again for this long after the job ended, then given up. */
export const CALLBACK_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The first pause after a failed delivery; it doubles each time, up to MAX_BACKOFF_SECONDS. */
const FIRST_BACKOFF_SECONDS = 2;
const MAX_BACKOFF_SECONDS = 3600;

/** The message on the callbacks queue: which job to tell about. */
export interface CallbackMessage {
  jobId: string;
}

export interface CallbackDelivererOptions {
  store: Pick<JobStore, 'get' | 'setCallback'>;
  /** Sets a received message's visibility: the pause before the next try. */
  queue: { changeVisibility(receiptHandle: string, seconds: number): Promise<void> };
  /** What each delivery is signed with (CALLBACK_SECRET, or its SSM parameter: callback-secret.ts). */
  secret: CallbackSecret;
  /** Deliver to loopback and private addresses too (the local stack); never deployed. */
  allowInternal: boolean;
  logger: Logger;
  post?: PostCallback;
  timeoutMs?: number;
  now?: () => number;
  random?: () => number;
}

/** The pause before try `attempts + 1`: 2 s doubling up to an hour, drawn from [half, whole]. */
export function callbackBackoffSeconds(attempts: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, attempts - 1));
  return Math.max(1, Math.round(full / 2 + (full / 2) * random()));
}

/**
 * Delivers completion callbacks, one SQS message per final job: POSTs the job's view (the body of
 * GET /api/jobs/{id}) to its `callback.url`, signed with HMAC-SHA256 over the timestamp and the body
 * (the `Spawn-Queue-Signature` header). A 2xx answer is delivered; anything else is tried again with
 * a doubling pause for up to 24 h after the job ended; an internal address is refused (deployed).
 * Each try is recorded on the job's `callback`. Runs in a function of its own: never in a task slot.
 */
export function createCallbackDeliverer(options: CallbackDelivererOptions) {
  const { store, queue, secret, allowInternal, logger } = options;
  const post = options.post ?? postCallback;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  /**
   * Records this try's outcome on the callback as stored now: a "queued" mark written after this
   * try read the job is kept (a callback tried once counts as announced, mark or not); when another
   * message of the job recorded a try meanwhile, that one stands and this one is dropped. A job
   * queued again meanwhile (a retry on demand) is left alone: it is told about when it ends again.
   */
  async function record(
    job: JobRecord,
    read: CallbackState,
    outcome: Pick<CallbackState, 'status' | 'lastError' | 'deliveredAt'>,
  ): Promise<void> {
    await store.setCallback(
      job.id,
      (current) =>
        current.status === 'pending' && current.attempts === read.attempts
          ? { ...current, attempts: read.attempts + 1, ...outcome }
          : undefined,
      job,
    );
  }

  /** `done`: delete the message; `retry`: it comes back after the pause set on it. */
  async function deliver(message: SQSRecord): Promise<'done' | 'retry'> {
    let jobId: unknown;
    try {
      jobId = (JSON.parse(message.body) as Partial<CallbackMessage>).jobId;
    } catch {
      // handled below
    }
    if (typeof jobId !== 'string' || !isJobId(jobId)) {
      logger.error({ event: 'callback-unreadable', messageId: message.messageId }, 'not a callback message');
      return 'done';
    }
    const job = await store.get(jobId);
    const callback = job?.callback;
    if (!job || !callback || !isFinal(job.status) || callback.status !== 'pending') return 'done';
    const log = logger.child({ jobId });
    const attempts = callback.attempts + 1;
    const body = JSON.stringify(jobView(job));
    let failure: string;
    try {
      const url = parseCallbackUrl(callback.url);
      // A secret that cannot be read is a failed try like any other: tried again after the pause.
      const key = await secret();
      const status = await post({
        url,
        body,
        timeoutMs,
        allowInternal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'spawn-queue-callback',
          [SIGNATURE_HEADER]: signCallback(key, body, Math.floor(now() / 1000)),
        },
      });
      if (status >= 200 && status < 300) {
        await record(job, callback, {
          status: 'delivered',
          lastError: null,
          deliveredAt: new Date(now()).toISOString(),
        });
        log.info({ event: 'callback-delivered', attempts, status }, 'completion callback delivered');
        return 'done';
      }
      failure = `the receiver answered ${status}`;
    } catch (error) {
      if (error instanceof CallbackRefusedError) {
        await record(job, callback, { status: 'failed', lastError: error.message });
        log.warn({ event: 'callback-refused' }, error.message);
        return 'done';
      }
      failure = reasonOf(error);
    }
    const endedAt = Date.parse(job.finishedAt ?? '') || now();
    if (now() - endedAt >= CALLBACK_RETRY_WINDOW_MS) {
      await record(job, callback, { status: 'failed', lastError: `${failure}; gave up after 24 h` });
      log.error({ event: 'callback-failed', attempts }, `completion callback given up: ${failure}`);
      return 'done';
    }
    await record(job, callback, { status: 'pending', lastError: failure });
    const pause = callbackBackoffSeconds(attempts, random);
    log.warn(
      { event: 'callback-retry', attempts, pause },
      `completion callback failed (${failure}); next try in ${pause} s`,
    );
    await queue.changeVisibility(message.receiptHandle, pause).catch(() => undefined);
    return 'retry';
  }

  return { deliver };
}
