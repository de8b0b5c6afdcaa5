import type { Logger } from '../logger';
import type { CallbackQueue } from '../queue/callback-queue';
import type { JobMessage, JobQueue } from '../queue/job-queue';
import { QueueUnavailableError } from '../queue/queue-errors';
import type { JobStore, TransitionOptions } from './job-store';
import { createHash } from 'node:crypto';
import {
  CallbackUnsentError,
  InvalidTransitionError,
  JobFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
  StaleAttemptError,
} from './job-errors';
import { recordFinished } from './job-metrics';
import type { JobMetrics } from './job-metrics';
import type { JobRecord, JobStatus } from './job-record';
import { isAnnounced, isFinal, RETRYABLE_STATUSES } from './job-record';

/**
 * A job's life, in one place: the HTTP handlers, the attempt (lib/jobs/attempt/) and the local
 * stack's restart logic all change a job through these functions, never through the store directly. Each step relies only
 * on what the store port makes atomic (create-if-absent, compare-and-set transitions, claims).
 *
 *   submit ─► queued ─ claim ─► running ─ finish ─► succeeded | failed | timed_out | cancelled
 *     │        ▲ │                  │                               │
 *     └► scheduled (a delayed job) ─┘ queued once its time has come (the consumer)
 *              ▲ │                  │                               │
 *              │ │                  └─ a failed attempt the retry policy runs again: back to queued
 *              │ │                     with nextAttemptAt (an attempt's end, attempt/end-attempt.ts)
 *              │ └─ cancel (claims the next attempt, so no worker ever starts it)
 *              └─── retry on demand (failed, timed_out, cancelled): queued again as the next attempt
 *
 * A waiting job (scheduled, queued) that was not started by its `startBy` ends `expired` when its
 * delivery comes, its next attempt claimed first so it never runs (attempt/open-attempt.ts).
 */

/** Seconds until a job's `runAt` (0 when it has none or its time has come). */
export function secondsUntilDue(job: Pick<JobRecord, 'runAt'>, now = Date.now()): number {
  const due = job.runAt ? Date.parse(job.runAt) - now : 0;
  return due > 0 ? Math.ceil(due / 1000) : 0;
}

/**
 * Writes a queued (or, with a `runAt` ahead, scheduled) job and sends it, delayed until its time as
 * far as SQS delays (15 minutes; the consumer sends a message that comes early on again). When the
 * send fails the job is removed again (nothing stays queued forever).
 */
export async function submitJob(
  { store, queue }: { store: JobStore; queue: Pick<JobQueue, 'send'> },
  record: JobRecord,
  options: { idempotencyKey?: string } = {},
): Promise<{ job: JobRecord; created: boolean }> {
  const { job, created } = await store.create(record, options);
  if (!created) return { job, created };
  try {
    await sendJobMessage(queue, job);
  } catch (error) {
    if (error instanceof QueueUnavailableError) await store.remove(job.id, options);
    throw error;
  }
  return { job, created };
}

/**
 * Creates the record of a message that came without one (any producer but the HTTP API); a message
 * that cannot run (`refusal`) makes a job that failed at once, so its producer can read why.
 */
export async function adoptJob(
  store: JobStore,
  { id, task, input, concurrencyKey }: Pick<JobRecord, 'id' | 'task' | 'input' | 'concurrencyKey'>,
  refusal?: string,
): Promise<JobRecord> {
  const now = new Date().toISOString();
  const record: JobRecord = {
    id,
    task,
    input,
    status: 'queued',
    attempts: 0,
    queuedAt: now,
    ...(concurrencyKey !== undefined ? { concurrencyKey } : {}),
  };
  const { job, created } = await store.create(record);
  if (created && refusal) return store.transition(id, 'failed', { finishedAt: now, error: refusal });
  return job;
}

/**
 * Cancels a job: a queued one is claimed for cancellation (its next attempt can never start) and
 * ends `cancelled` at once; a running one gets a cancel request that its runner acts on.
 */
export async function cancelJob(
  store: JobStore,
  id: string,
  owner: string,
): Promise<{ outcome: 'cancelled' | 'requested'; job: JobRecord; recorded?: boolean }> {
  const job = await store.get(id);
  if (!job) throw new JobNotFoundError(id);
  if (isFinal(job.status)) throw new JobFinishedError(id, job.status);
  if (job.status === 'queued' || job.status === 'scheduled') {
    // The claim is the cancel's intent, made durable before the status changes: a delivery that
    // comes in between finds the attempt claimed by a cancel and never runs it (it waits out this
    // lease, then records the cancel itself if this request stopped before it could).
    const claimed = await claimBeforeStart(store, job, owner);
    if (claimed) return { outcome: 'cancelled', ...(await recordCancelBeforeStart(store, id)) };
    // A worker claimed its next attempt a moment ago: stop that attempt like a running one.
    await store.requestCancel(id, job.attempts + 1);
    return { outcome: 'requested', job };
  }
  await store.requestCancel(id, job.attempts);
  return { outcome: 'requested', job };
}

/** How long a cancel's claim on a waiting job's next attempt holds off a delivery (see cancelJob). */
export const CANCEL_CLAIM_MS = 10_000;

/**
 * Claims a waiting job's next attempt for an end without a run (a cancel, a dead-lettered job's
 * failure): a delivery that comes meanwhile finds the attempt claimed and never starts it. True for
 * exactly one caller.
 */
export function claimBeforeStart(
  store: Pick<JobStore, 'claim'>,
  job: Pick<JobRecord, 'id' | 'attempts'>,
  owner: string,
): Promise<boolean> {
  const now = Date.now();
  return store.claim(job.id, job.attempts + 1, {
    owner,
    kind: 'cancel',
    claimedAt: new Date(now).toISOString(),
    leaseUntil: new Date(now + CANCEL_CLAIM_MS).toISOString(),
  });
}

/**
 * Ends a waiting job whose next attempt a cancel claimed: `cancelled`, by the cancel request or by
 * a delivery that found the claim (whichever comes first; the other reads what it became).
 */
export async function recordCancelBeforeStart(
  store: JobStore,
  id: string,
): Promise<{ job: JobRecord; recorded: boolean }> {
  const now = new Date().toISOString();
  try {
    const job = await store.transition(id, 'cancelled', {
      finishedAt: now,
      cancelRequestedAt: now,
      error: 'cancelled before it started',
    });
    return { job, recorded: true };
  } catch (error) {
    if (!(error instanceof InvalidTransitionError)) throw error;
    const current = await store.get(id);
    if (current?.status === 'cancelled') return { job: current, recorded: false };
    throw error;
  }
}

/**
 * A scheduled job whose time has come: queued, by whichever delivery gets there first; the others
 * read what it became (queued, or cancelled meanwhile).
 */
export async function releaseScheduled(store: JobStore, job: JobRecord): Promise<JobRecord> {
  try {
    return await store.transition(job.id, 'queued', {}, { from: job });
  } catch (error) {
    if (!(error instanceof InvalidTransitionError)) throw error;
    const current = await store.get(job.id);
    if (!current) throw new JobNotFoundError(job.id);
    return current;
  }
}

/** Claims the next attempt of a job for one runner; says too whether a cancel is waiting for it. */
export async function claimAttempt(
  store: JobStore,
  job: JobRecord,
  { owner, leaseMs }: { owner: string; leaseMs: number },
): Promise<{ attempt: number; claimed: boolean; cancelRequested: boolean }> {
  const attempt = job.attempts + 1;
  // A request made while the job ran is for the attempt that ran: it stops the one that takes that
  // attempt over (it never ended), never the next attempt of a job that ended and was retried.
  const cancelFor = job.status === 'running' ? job.attempts : attempt;
  // The cancel check rides along with the claim: one round trip to the store, not two.
  const [claimed, cancelRequested] = await Promise.all([
    store.claim(job.id, attempt, {
      owner,
      kind: 'run',
      claimedAt: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
    }),
    store.isCancelRequested(job.id, cancelFor),
  ]);
  return { attempt, claimed, cancelRequested };
}

/** True while another runner's claim on the job's current attempt is alive. */
export async function isHeldElsewhere(store: JobStore, job: JobRecord): Promise<string | undefined> {
  const claim = await store.readClaim(job.id, job.attempts);
  return claim && Date.parse(claim.leaseUntil) > Date.now() ? claim.owner : undefined;
}

/** `from`: the runner's copy of the job, when its claim makes that copy the current one. */
export function startAttempt(
  store: JobStore,
  id: string,
  patch: Pick<JobRecord, 'attempts' | 'startedAt' | 'waitMs'>,
  from?: JobRecord,
): Promise<JobRecord> {
  return store.transition(id, 'running', patch, { from });
}

/** Ends an attempt's lease at once, so the next delivery may take the job over. */
export function releaseAttempt(store: JobStore, id: string, attempt: number): Promise<void> {
  return store.updateClaim(id, attempt, { leaseUntil: new Date(0).toISOString() });
}

/**
 * `from`: the runner's copy of the job (the `running` record it wrote), as for {@link startAttempt};
 * `attempt`: the attempt the runner owns (the write is fenced by it).
 */
export function finishJob(
  store: Pick<JobStore, 'transition'>,
  id: string,
  status: JobStatus,
  patch: Partial<JobRecord> = {},
  options: TransitionOptions = {},
): Promise<JobRecord> {
  return store.transition(id, status, { finishedAt: new Date().toISOString(), ...patch }, options);
}

/**
 * Tells the callback deliverer (a function of its own, so a delivery never holds a task slot) of a
 * final job whose submit asked for a completion callback, once: the callback is marked queued when
 * its message is sent. A send that fails throws CallbackUnsentError and leaves the callback
 * unmarked, the job's end recorded: the job's own message, when it comes back to the consumer,
 * announces it again. A mark that fails after the send is logged; the next message of the job may
 * then queue it twice (the deliverer posts what it finds still pending).
 */
export async function announceFinished(
  { callbacks, store }: { callbacks?: Pick<CallbackQueue, 'send'>; store: Pick<JobStore, 'setCallback'> },
  job: JobRecord,
  log: Pick<Logger, 'warn'>,
): Promise<void> {
  const callback = job.callback;
  if (!callbacks || !isFinal(job.status) || callback?.status !== 'pending' || isAnnounced(callback)) return;
  try {
    await callbacks.send(job.id);
  } catch (error) {
    throw new CallbackUnsentError(job.id, { cause: error });
  }
  const queuedAt = new Date().toISOString();
  await store
    .setCallback(
      job.id,
      (current) =>
        current.status === 'pending' && !isAnnounced(current) ? { ...current, queuedAt } : undefined,
      job,
    )
    .catch((error: unknown) => {
      log.warn({ event: 'callback-unmarked', err: error }, 'completion callback queued but not marked so');
    });
}

/** Who hears of a job's end besides the store: its metrics and its completion callback's deliverer. */
export interface EndListeners {
  store: Pick<JobStore, 'setCallback'>;
  metrics?: JobMetrics;
  callbacks?: Pick<CallbackQueue, 'send'>;
}

/**
 * What follows a job's end wherever it ends (its runner, a cancel, the reconciler): its metrics, by
 * the writer that recorded the end only (`recorded`), then its completion callback announced (see
 * {@link announceFinished}: a send that fails throws).
 */
export async function tellFinished(
  listeners: EndListeners,
  job: JobRecord,
  log: Pick<Logger, 'warn'>,
  { recorded = true }: { recorded?: boolean } = {},
): Promise<void> {
  if (recorded) recordFinished(listeners.metrics, job, log);
  await announceFinished(listeners, job, log);
}

/**
 * Sends every unfinished job again (after a queue lost its messages): the consumer is idempotent per
 * job, so a job whose message survived runs once. `releaseRunning` ends the leases of running
 * attempts (their runner is gone: a fresh start); without it a runner still alive keeps its job, and
 * the new message of a running job is answered "busy" until the job has finished.
 */
export async function resendUnfinished(
  { store, queue }: { store: JobStore; queue: Pick<JobQueue, 'send'> },
  { releaseRunning = true }: { releaseRunning?: boolean } = {},
): Promise<number> {
  let count = 0;
  for await (const job of jobsWithStatus(store, ['scheduled', 'queued', 'running'])) {
    if (releaseRunning && job.status === 'running') await releaseAttempt(store, job.id, job.attempts);
    await sendJobMessage(queue, job);
    count += 1;
  }
  return count;
}

/** Every job of these statuses, a page of 100 at a time (statuses bounded by MAX_QUEUED_JOBS and the slots). */
export async function* jobsWithStatus(
  store: Pick<JobStore, 'list'>,
  statuses: readonly JobStatus[],
): AsyncIterable<JobRecord> {
  for (const status of statuses) {
    let cursor: string | undefined;
    do {
      const page = await store.list({ status, limit: 100, cursor });
      yield* page.jobs;
      cursor = page.nextCursor;
    } while (cursor);
  }
}

/** A job's message: what the consumer needs of it (the message contract), its record aside. */
export function jobMessage(job: Pick<JobRecord, 'id' | 'task' | 'input' | 'concurrencyKey'>): JobMessage {
  const { id: jobId, task, input, concurrencyKey } = job;
  return { task, input, jobId, ...(concurrencyKey !== undefined ? { concurrencyKey } : {}) };
}

/** A waiting job's message, delayed until its time: its submit, or a send again. */
export function sendJobMessage(
  queue: Pick<JobQueue, 'send'>,
  job: Pick<JobRecord, 'id' | 'task' | 'input' | 'runAt' | 'concurrencyKey'>,
  now = Date.now(),
): Promise<void> {
  return queue.send(jobMessage(job), { delaySeconds: secondsUntilDue(job, now) });
}

/**
 * Tells the callback deliverer again of every final job whose callback is still pending (after a
 * queue lost its messages: the deliverer's retries wait in its queue). The deliverer posts only
 * what it finds pending, so a callback whose message survived is not posted twice in a row.
 */
export async function resendPendingCallbacks({
  store,
  callbacks,
}: {
  store: Pick<JobStore, 'pendingCallbacks'>;
  callbacks: Pick<CallbackQueue, 'send'>;
}): Promise<number> {
  let count = 0;
  for await (const job of store.pendingCallbacks()) {
    await callbacks.send(job.id);
    count += 1;
  }
  return count;
}

const retryKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Queues an ended job (failed, timed out, cancelled) again as its next attempt and sends it. With an
 * Idempotency-Key, a repeated call answers the job it queued instead of queuing it twice. When the
 * send fails, the job goes back to how it was (nothing stays queued without a message).
 */
export async function retryJob(
  { store, queue }: { store: JobStore; queue: Pick<JobQueue, 'send'> },
  id: string,
  options: { idempotencyKey?: string } = {},
): Promise<{ job: JobRecord; replayed: boolean }> {
  const key = options.idempotencyKey === undefined ? undefined : retryKeyHash(options.idempotencyKey);
  const job = await store.get(id);
  if (!job) throw new JobNotFoundError(id);
  const replay = (current: JobRecord) => key !== undefined && current.retryKey === key;
  // The same key is the same request, whatever became of the attempt it queued (it may have failed
  // again by now): the answer is a replay, and nothing runs again.
  if (replay(job)) return { job, replayed: true };
  if (!RETRYABLE_STATUSES.includes(job.status)) throw new JobNotRetryableError(id, job.status);
  // A job cancelled while queued had its next attempt claimed by the cancel: the retry skips it.
  const burned = (await store.readClaim(id, job.attempts + 1)) !== undefined;
  const now = new Date().toISOString();
  let queued: JobRecord;
  try {
    queued = await store.transition(
      id,
      'queued',
      {
        attempts: job.attempts + (burned ? 1 : 0),
        nextAttemptAt: now,
        retryKey: key,
        error: undefined,
        exitCode: undefined,
        signal: undefined,
        output: undefined,
        usage: undefined,
        limits: undefined,
        finishedAt: undefined,
        cancelRequestedAt: undefined,
        // Its next end is told about again.
        ...(job.callback
          ? { callback: { url: job.callback.url, status: 'pending', attempts: 0, lastError: null } }
          : {}),
      },
      { from: job, attempt: job.attempts },
    );
  } catch (error) {
    if (!(error instanceof InvalidTransitionError || error instanceof StaleAttemptError)) throw error;
    // Another retry got there first.
    const current = await store.get(id);
    if (current && replay(current)) return { job: current, replayed: true };
    throw new JobNotRetryableError(id, current?.status ?? job.status);
  }
  try {
    await queue.send({ task: queued.task, input: queued.input, jobId: queued.id });
  } catch (error) {
    if (error instanceof QueueUnavailableError) {
      await store
        .transition(id, job.status, job, { from: queued, attempt: queued.attempts })
        .catch(() => undefined);
    }
    throw error;
  }
  return { job: queued, replayed: false };
}
