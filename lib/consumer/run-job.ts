import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import {
  adoptJob,
  claimAttempt,
  finishJob,
  isHeldElsewhere,
  releaseAttempt,
  startAttempt,
} from '../jobs/job-lifecycle';
import { isFinal } from '../jobs/job-record';
import type { JobStore } from '../store/job-store';
import { runProcess } from '../process/run-process';
import type { RunOptions, RunResult } from '../process/run-process';
import type { Catalogue } from '../tasks/catalogue';
import { TaskInputError, TaskUnavailableError, UnknownTaskError } from '../tasks/task-errors';
import { parseMessage } from './parse-message';

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
  run?: (options: RunOptions) => Promise<RunResult>;
  /** How often a running job checks for a cancel request. */
  cancelPollMs?: number;
  /** Extra lease beyond the task timeout before a run claim counts as abandoned. */
  leaseMarginMs?: number;
  /** Parent of each task's working directory (default: the OS temp directory). */
  workRoot?: string;
  owner?: string;
}

function statusOf(result: RunResult): JobStatus {
  if (result.cancelled) return 'cancelled';
  if (result.timedOut) return 'timed_out';
  return result.exitCode === 0 ? 'succeeded' : 'failed';
}

function since(iso: string, now: number): number {
  return Math.max(0, now - Date.parse(iso));
}

/**
 * Runs the job of one SQS record, idempotently: a finished job is not run again, a job that another
 * worker is running is not started twice (run claims in the store), and a cancelled job never starts.
 */
export function createJobRunner(options: JobRunnerOptions) {
  const { store, catalogue, logger, maxReceiveCount } = options;
  const run = options.run ?? runProcess;
  const cancelPollMs = options.cancelPollMs ?? 250;
  const leaseMarginMs = options.leaseMarginMs ?? 60_000;
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  async function finalize(
    log: Logger,
    id: string,
    to: JobStatus,
    patch: Partial<JobRecord>,
    from?: JobRecord,
  ): Promise<JobRecord> {
    const job = await finishJob(store, id, to, patch, from);
    log.info(
      { event: 'finish', status: job.status, exitCode: job.exitCode, runMs: job.runMs },
      'job finished',
    );
    return job;
  }

  const adopt = (jobId: string, task: string, input: Record<string, unknown>, error?: string) =>
    adoptJob(store, { id: jobId, task, input }, error);

  async function runMessage(message: SQSRecord): Promise<Outcome> {
    const receiveCount = Number(message.attributes?.ApproximateReceiveCount) || 1;
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
    if (isFinal(job.status)) {
      log.info({ event: 'duplicate', status: job.status }, 'job already finished; delivery ignored');
      return 'done';
    }

    if (job.status === 'running') {
      const holder = await isHeldElsewhere(store, job);
      if (holder) {
        log.info({ event: 'busy', owner: holder }, 'job is running elsewhere; delivery returned');
        return 'retry';
      }
      log.warn(
        { event: 'takeover', attempt: job.attempts + 1 },
        'previous attempt was abandoned; running again',
      );
    }

    const task = catalogue.get(job.task);
    const leaseMs = (task?.timeoutMs ?? 0) + leaseMarginMs;
    const { attempt, claimed, cancelRequested } = await claimAttempt(store, job, { owner, leaseMs });
    if (!claimed) {
      const latest = await store.get(job.id);
      if (latest && isFinal(latest.status)) return 'done';
      log.info({ event: 'busy', attempt }, 'another worker claimed this attempt; delivery returned');
      return 'retry';
    }

    if (cancelRequested) {
      await finalize(log, job.id, 'cancelled', { attempts: attempt, error: 'cancelled before it started' });
      return 'done';
    }

    const startedAt = new Date();
    const startPatch = {
      attempts: attempt,
      startedAt: startedAt.toISOString(),
      waitMs: since(job.queuedAt, startedAt.getTime()),
    };
    let invocation;
    try {
      invocation = catalogue.prepare(job.task, job.input);
    } catch (error) {
      if (!isTaskRefusal(error)) throw error;
      await startAttempt(store, job.id, startPatch);
      await finalize(log, job.id, 'failed', { error: error.message, runMs: 0 });
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
    const poll = setInterval(() => {
      store.isCancelRequested(jobId).then(
        (requested) => requested && abort.abort(),
        () => undefined,
      );
    }, cancelPollMs);
    try {
      const [result, running] = await Promise.all([
        run({ ...invocation, signal: abort.signal, workRoot: options.workRoot }),
        marked,
      ]);
      const status = statusOf(result);
      const ended: Partial<JobRecord> = {
        exitCode: result.exitCode,
        signal: result.signal,
        runMs: result.durationMs,
        output: { stdout: result.stdout, stderr: result.stderr, truncated: result.truncated },
        ...(status === 'timed_out' ? { error: `timed out after ${invocation.timeoutMs} ms` } : {}),
        ...(status === 'cancelled' ? { error: 'cancelled while running' } : {}),
      };
      await finalize(log, jobId, status, ended, owned ? running : undefined);
      return 'done';
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await marked.catch(() => undefined);
      if (receiveCount >= maxReceiveCount) {
        await finalize(log, jobId, 'failed', {
          error: `gave up after ${receiveCount} deliveries (${reason}); the message moves to the dead-letter queue`,
          runMs: Date.now() - startedAt.getTime(),
        });
        log.error({ event: 'dead-letter', receiveCount, err: error }, 'job failed on its last delivery');
      } else {
        await releaseAttempt(store, jobId, attempt);
        log.warn(
          { event: 'retry', receiveCount, err: error },
          'job attempt failed; it will be delivered again',
        );
      }
      return 'retry';
    } finally {
      clearInterval(poll);
    }
  }

  return { runMessage };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
