import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import {
  adoptJob,
  announceFinished,
  claimAttempt,
  finishJob,
  isHeldElsewhere,
  recordCancelBeforeStart,
  releaseScheduled,
  secondsUntilDue,
  startAttempt,
} from '../jobs/job-lifecycle';
import { isFinal } from '../jobs/job-record';
import type { AttemptRecord } from '../jobs/job-record';
import { StaleAttemptError } from '../jobs/job-errors';
import { DEFAULT_RETRY_POLICY, retryDelaySeconds, shouldRetry } from '../jobs/retry-policy';
import type { AttemptEnd, RetryPolicy } from '../jobs/retry-policy';
import type { CallbackQueue } from '../queue/callback-queue';
import type { JobQueue } from '../queue/job-queue';
import { receiveCountOf, redeliveryPauseSeconds } from '../queue/redelivery';
import type { JobStore } from '../store/job-store';
import { runProcess } from '../process/run-process';
import type { RunOptions, RunResult } from '../process/run-process';
import type { Catalogue } from '../tasks/catalogue';
import { TaskInputError, TaskUnavailableError, UnknownTaskError } from '../tasks/task-errors';
import { recordFinished } from '../jobs/job-metrics';
import type { JobMetrics } from '../jobs/job-metrics';
import { holdLease } from './lease';
import { liveOutputWriter } from './live-output';
import { parseMessage } from './parse-message';
import { reasonOf } from '../reason-of';

/** Errors that fail the job itself (retrying cannot help), not the delivery. */
function isTaskRefusal(error: unknown): error is UnknownTaskError | TaskInputError | TaskUnavailableError {
  return (
    error instanceof UnknownTaskError ||
    error instanceof TaskInputError ||
    error instanceof TaskUnavailableError
  );
}

/** `done`: delete the message. `retry`: report it in batchItemFailures so SQS delivers it again. */
export type Outcome = 'done' | 'retry';

export interface JobRunnerOptions {
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

function statusOf(result: RunResult): JobStatus {
  if (result.cancelled) return 'cancelled';
  if (result.timedOut) return 'timed_out';
  return result.exitCode === 0 ? 'succeeded' : 'failed';
}

/** What the retry policy sees of a result that is not a success (undefined: nothing to retry). */
function endOf(result: RunResult): AttemptEnd | undefined {
  if (result.cancelled) return undefined;
  if (result.timedOut) return { kind: 'timeout' };
  if (result.exitCode === 0) return undefined;
  // Killed by a signal it did not get from us: the task's own end, as a non-zero exit.
  return { kind: 'exit', exitCode: result.exitCode ?? 128 };
}

function since(iso: string, now: number): number {
  return Math.max(0, now - Date.parse(iso));
}

/** SIGTERM to SIGKILL of a stopped task (the runner's default), and the margin past it a lease holds. */
const KILL_GRACE_MS = 2000;
const LEASE_MARGIN_MS = 2000;

/**
 * Runs the job of one SQS record, idempotently: a finished job is not run again, a job that another
 * worker is running is not started twice (run claims in the store), and a cancelled job never starts.
 * An attempt that fails is run again under its task's retry policy: the job goes back to `queued`
 * with the reason and `nextAttemptAt`, and the message becomes visible again after the backoff.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { store, catalogue, logger, maxReceiveCount, queue, callbacks, metrics } = options;
  const run = options.run ?? runProcess;
  const cancelPollMs = options.cancelPollMs ?? 250;
  const leaseMs = options.leaseMs ?? 30_000;
  const random = options.random ?? Math.random;
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  async function finalize(
    log: Logger,
    id: string,
    to: JobStatus,
    patch: Partial<JobRecord>,
    options: { from?: JobRecord; attempt?: number } = {},
  ): Promise<JobRecord> {
    const job = await finishJob(store, id, to, { nextAttemptAt: undefined, ...patch }, options);
    log.info(
      { event: 'finish', status: job.status, exitCode: job.exitCode, runMs: job.runMs },
      'job finished',
    );
    recordFinished(metrics, job, log);
    // A send that fails throws: the message comes back in seconds and announces the job then.
    await announceFinished({ callbacks, store }, job, log);
    return job;
  }

  const adopt = (jobId: string, task: string, input: Record<string, unknown>, error?: string) =>
    adoptJob(store, { id: jobId, task, input }, error);

  /** Leaves the message invisible for `seconds` more and returns it to the queue. */
  async function holdMessage(log: Logger, message: SQSRecord, seconds: number): Promise<Outcome> {
    await queue?.changeVisibility(message.receiptHandle, seconds).catch((error: unknown) => {
      log.warn({ event: 'visibility-failed', err: error }, 'could not set the message visibility');
    });
    return 'retry';
  }

  /**
   * A delayed job's message that came before its time (SQS delays 15 minutes at most): sent on as a
   * new message, delayed for the rest (up to 15 minutes more), and this one deleted, so the wait
   * never counts toward the dead-letter queue's receive limit.
   */
  async function sendOnLater(
    log: Logger,
    message: SQSRecord,
    job: JobRecord,
    dueInSeconds: number,
  ): Promise<Outcome> {
    if (!queue) return holdMessage(log, message, dueInSeconds);
    await queue.send({ task: job.task, input: job.input, jobId: job.id }, { delaySeconds: dueInSeconds });
    log.info({ event: 'not-due', dueInSeconds }, 'scheduled job not due yet; its message sent on');
    return 'done';
  }

  /**
   * The attempt failed and the policy runs the job again: back to `queued` with the reason and the
   * time of the next attempt, and the message visible again after the backoff.
   */
  async function retryLater(
    log: Logger,
    message: SQSRecord,
    id: string,
    attempt: number,
    policy: RetryPolicy,
    patch: Partial<JobRecord> & { error: string; attemptHistory: AttemptRecord[] },
    from: JobRecord | undefined,
  ): Promise<Outcome> {
    const delaySeconds = retryDelaySeconds(policy, attempt, random);
    const nextAttemptAt = new Date(Date.now() + delaySeconds * 1000).toISOString();
    try {
      await store.transition(id, 'queued', { ...patch, nextAttemptAt }, { from, attempt });
    } catch (error) {
      // The record keeps `running` until its lease runs out; the next delivery then takes it over.
      log.error({ event: 'retry-unrecorded', err: error }, 'could not record the failed attempt');
      return 'retry';
    }
    log.warn(
      { event: 'retry', attempt, delaySeconds, reason: patch.error },
      `attempt ${attempt} failed; the next one runs in ${delaySeconds} s`,
    );
    return holdMessage(log, message, delaySeconds);
  }

  /**
   * Records an attempt's end; when another runner has taken the job over meanwhile (this one's lease
   * ran out), its write is refused and the job is the other's: the message is left to it.
   */
  async function fenced(log: Logger, attempt: number, record: () => Promise<Outcome>): Promise<Outcome> {
    try {
      return await record();
    } catch (error) {
      if (!(error instanceof StaleAttemptError)) throw error;
      log.warn({ event: 'lease-lost', attempt }, error.message);
      return 'retry';
    }
  }

  /**
   * A delivery that failed before or after its attempt (the store did not answer, most often): the
   * message comes back in seconds, doubling with each receive up to a minute, not after the queue's
   * visibility timeout.
   */
  async function runMessage(message: SQSRecord): Promise<Outcome> {
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

  async function deliver(message: SQSRecord): Promise<Outcome> {
    const receiveCount = receiveCountOf(message);
    const lastDelivery = receiveCount >= maxReceiveCount;
    const parsed = parseMessage(message);
    if (parsed.kind === 'unreadable') {
      // Kept for a person to look at: it goes to the DLQ after the redrive limit.
      logger.error({ event: 'unreadable', messageId: message.messageId, receiveCount }, parsed.reason);
      return 'retry';
    }
    const log = logger.child({ jobId: parsed.jobId });
    if (parsed.kind === 'invalid') {
      const job =
        (await store.get(parsed.jobId)) ??
        (await adopt(parsed.jobId, parsed.task, parsed.input, parsed.reason));
      log.warn({ event: 'rejected', status: job.status }, parsed.reason);
      return 'done';
    }

    let job = await store.get(parsed.jobId);
    if (!job) {
      if (parsed.fromSubmit) {
        // The submit that made this message rolled its job back (it answered 503): nothing to run.
        log.warn({ event: 'orphan', messageId: message.messageId }, 'no record for this job id; dropped');
        return 'done';
      }
      try {
        catalogue.prepare(parsed.task, parsed.input);
        job = await adopt(parsed.jobId, parsed.task, parsed.input);
        log.info({ event: 'enqueue', task: parsed.task, source: 'queue' }, 'job adopted from the queue');
      } catch (error) {
        if (!isTaskRefusal(error)) throw error;
        job = await adopt(parsed.jobId, parsed.task, parsed.input, error.message);
        log.warn({ event: 'rejected', status: job.status }, error.message);
        return 'done';
      }
    }
    if (job.status === 'scheduled') {
      const dueInSeconds = secondsUntilDue(job);
      if (dueInSeconds > 0) return sendOnLater(log, message, job, dueInSeconds);
      job = await releaseScheduled(store, job);
    }
    if (isFinal(job.status)) {
      // Its deliverer may not have been told yet: the send failed when the job ended, or the job
      // was cancelled over HTTP and that send failed. Told now (a no-op when it was).
      await announceFinished({ callbacks, store }, job, log);
      log.info({ event: 'duplicate', status: job.status }, 'job already finished; delivery ignored');
      return 'done';
    }

    const task = catalogue.get(job.task);
    const policy = task?.retry ?? DEFAULT_RETRY_POLICY;
    const history = job.attemptHistory ?? [];

    if (job.status === 'queued' && job.nextAttemptAt) {
      // Early (a second message of the job, or its backoff could not be set): wait out the rest.
      const waitSeconds = Math.ceil((Date.parse(job.nextAttemptAt) - Date.now()) / 1000);
      if (waitSeconds > 0 && !lastDelivery) {
        log.info({ event: 'early', waitSeconds }, 'next attempt not due yet; delivery returned');
        return holdMessage(log, message, waitSeconds);
      }
    }

    if (job.status === 'running') {
      const holder = await isHeldElsewhere(store, job);
      if (holder) {
        log.info({ event: 'busy', owner: holder }, 'job is running elsewhere; delivery returned');
        return holdMessage(log, message, Math.ceil(leaseMs / 1000));
      }
      const abandoned: AttemptRecord = {
        attempt: job.attempts,
        startedAt: job.startedAt ?? null,
        finishedAt: new Date().toISOString(),
        exitCode: null,
        signal: null,
        error: `the runner of attempt ${job.attempts} stopped answering (its lease ran out)`,
      };
      history.push(abandoned);
      if (!shouldRetry(policy, job.attempts, { kind: 'error' })) {
        await finalize(
          log,
          job.id,
          'failed',
          { error: abandoned.error!, attemptHistory: history },
          { attempt: job.attempts },
        );
        return 'done';
      }
      log.warn(
        { event: 'takeover', attempt: job.attempts + 1 },
        'previous attempt was abandoned; running again',
      );
    }

    const { attempt, claimed, cancelRequested } = await claimAttempt(store, job, { owner, leaseMs });
    if (!claimed) {
      const latest = await store.get(job.id);
      if (latest && isFinal(latest.status)) return 'done';
      const claim = await store.readClaim(job.id, attempt);
      const leaseLeftMs = claim ? Date.parse(claim.leaseUntil) - Date.now() : leaseMs;
      if (claim?.kind === 'cancel') {
        // A cancel claimed this attempt before any run: it never runs. Its request records the end
        // in a moment; if it stopped in between (its claim's lease ran out), this delivery does.
        if (leaseLeftMs > 0) return holdMessage(log, message, Math.ceil(leaseLeftMs / 1000));
        const cancelled = await recordCancelBeforeStart(store, job.id);
        if (cancelled.recorded) recordFinished(metrics, cancelled.job, log);
        await announceFinished({ callbacks, store }, cancelled.job, log);
        return 'done';
      }
      const neverStarted = latest?.status === 'queued' && latest.attempts === job.attempts;
      if (!(neverStarted && leaseLeftMs <= 0)) {
        log.info({ event: 'busy', attempt }, 'another worker claimed this attempt; delivery returned');
        // Back when that claim's lease ends, not after the queue's visibility timeout (66 min).
        return holdMessage(log, message, Math.max(1, Math.ceil(leaseLeftMs / 1000)));
      }
      // Claimed but never started, and its lease ran out: its runner stopped in between (its store
      // went away, or its process). Take the claim over; the start's compare-and-set on the job
      // record still lets only one runner through if it comes back.
      await store.updateClaim(job.id, attempt, {
        owner,
        claimedAt: new Date().toISOString(),
        leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
      });
      log.warn({ event: 'takeover', attempt }, 'attempt was claimed but never started; running it');
    }

    if (cancelRequested) {
      await finalize(log, job.id, 'cancelled', { attempts: attempt, error: 'cancelled before it started' });
      return 'done';
    }

    const startedAt = new Date();
    const startPatch = {
      attempts: attempt,
      startedAt: startedAt.toISOString(),
      waitMs: since(job.nextAttemptAt ?? job.runAt ?? job.queuedAt, startedAt.getTime()),
      nextAttemptAt: undefined,
      attemptHistory: history,
    };
    const ended = (fields: Partial<AttemptRecord>): AttemptRecord[] => [
      ...history,
      {
        attempt,
        startedAt: startPatch.startedAt,
        finishedAt: new Date().toISOString(),
        exitCode: null,
        signal: null,
        error: null,
        ...fields,
      },
    ];
    let invocation;
    try {
      invocation = catalogue.prepare(job.task, job.input);
    } catch (error) {
      if (!isTaskRefusal(error)) throw error;
      await startAttempt(store, job.id, startPatch);
      await finalize(
        log,
        job.id,
        'failed',
        { error: error.message, runMs: 0, attemptHistory: ended({ error: error.message }) },
        { attempt },
      );
      return 'done';
    }

    const jobId = job.id;
    const abort = new AbortController();
    // The process starts while its `running` record is written, not after: the write is off the
    // path from a free slot to a running process. The result waits for it, so states stay in order;
    // if it fails, the process is stopped and the attempt retried.
    // With the claim on a queued job held, the record read above is the current one: the store need
    // not read it again, nor the `running` record for the result. Not after a takeover: the
    // abandoned attempt's runner may still be alive and record its own end.
    const owned = job.status === 'queued';
    const marked = startAttempt(store, jobId, startPatch, owned ? job : undefined).then(
      (running) => {
        log.info({ event: 'start', task: running.task, attempt, waitMs: running.waitMs }, 'job started');
        return running;
      },
      (error: unknown) => {
        abort.abort();
        throw error;
      },
    );
    const lease = holdLease({
      store,
      queue,
      jobId,
      attempt,
      receiptHandle: message.receiptHandle,
      leaseMs,
      logger: log,
      renewUntil: startedAt.getTime() + invocation.timeoutMs + KILL_GRACE_MS + LEASE_MARGIN_MS,
    });
    const output = liveOutputWriter(store, jobId, attempt, log);
    const poll = setInterval(() => {
      store.isCancelRequested(jobId, attempt).then(
        (requested) => requested && abort.abort(),
        () => undefined,
      );
    }, cancelPollMs);
    let result: RunResult;
    let running: JobRecord;
    try {
      [result, running] = await Promise.all([
        run({ ...invocation, signal: abort.signal, workRoot: options.workRoot, onOutput: output.write }),
        marked,
      ]);
    } catch (error) {
      // A failure that is not the task's own: the process could not start, the process that starts
      // tasks died, the store could not record the start.
      clearInterval(poll);
      await Promise.all([lease.stop(), output.settled()]);
      const reason = reasonOf(error);
      const current = await marked.catch(() => undefined);
      const attemptHistory = ended({ error: reason });
      const runMs = Date.now() - startedAt.getTime();
      const fence = { from: owned ? current : undefined, attempt };
      return fenced(log, attempt, async () => {
        if (!lastDelivery && shouldRetry(policy, attempt, { kind: 'error' })) {
          return retryLater(
            log,
            message,
            jobId,
            attempt,
            policy,
            { error: reason, attemptHistory, runMs },
            fence.from,
          );
        }
        if (lastDelivery) {
          await finalize(
            log,
            jobId,
            'failed',
            {
              error: `gave up after ${receiveCount} deliveries (${reason}); the message moves to the dead-letter queue`,
              runMs,
              attemptHistory,
            },
            fence,
          );
          log.error({ event: 'dead-letter', receiveCount, err: error }, 'job failed on its last delivery');
          // Visible again at once: the next receive moves it to the dead-letter queue.
          return holdMessage(log, message, 0);
        }
        await finalize(
          log,
          jobId,
          'failed',
          { error: `attempt ${attempt} failed: ${reason}`, runMs, attemptHistory },
          fence,
        );
        return 'done';
      });
    }
    clearInterval(poll);
    await Promise.all([lease.stop(), output.settled()]);

    const status = statusOf(result);
    const limited = Object.keys(invocation.limits).length > 0 && result.limitsHeld;
    const outcome: Partial<JobRecord> = {
      exitCode: result.exitCode,
      signal: result.signal,
      runMs: result.durationMs,
      output: { stdout: result.stdout, stderr: result.stderr, truncated: result.truncated },
      ...(result.usage ? { usage: result.usage } : {}),
      ...(limited ? { limits: { ...invocation.limits, held: limited } } : {}),
    };
    const error =
      status === 'timed_out'
        ? `timed out after ${invocation.timeoutMs} ms`
        : status === 'cancelled'
          ? 'cancelled while running'
          : result.limitExceeded?.message;
    const attemptHistory = ended({ exitCode: result.exitCode, signal: result.signal, error: error ?? null });
    const end = endOf(result);
    const from = owned ? running : undefined;
    return fenced(log, attempt, async () => {
      if (end && !lastDelivery && shouldRetry(policy, attempt, end)) {
        const reason =
          error ?? `exited with code ${result.exitCode ?? 'none'} (${result.signal ?? 'no signal'})`;
        return retryLater(
          log,
          message,
          jobId,
          attempt,
          policy,
          { ...outcome, error: reason, attemptHistory },
          from,
        );
      }
      await finalize(log, jobId, status, { ...outcome, error, attemptHistory }, { from, attempt });
      return 'done';
    });
  }

  return { runMessage };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
