import type { AttemptRecord, JobRecord, JobStatus } from '../job-record';
import { StaleAttemptError } from '../job-errors';
import { finishJob, tellFinished } from '../job-lifecycle';
import type { TransitionOptions } from '../job-store';
import { retryDelaySeconds, shouldRetry } from '../retry-policy';
import type { AttemptEnd, RetryPolicy } from '../retry-policy';
import { DONE, hold, RETURN } from './delivery';
import type { AttemptDependencies, AttemptLog, DeliveryOutcome } from './delivery';

/**
 * Whether an attempt that ended with `end` runs again: the policy says so, and the message may come
 * back (on its last delivery it would go to the dead-letter queue instead). One rule for an attempt
 * that ended with its task's result and for one that ended with a failure of the system's own.
 */
export function runsAgain(
  policy: RetryPolicy,
  attempt: number,
  end: AttemptEnd | undefined,
  lastDelivery: boolean,
): boolean {
  return end !== undefined && !lastDelivery && shouldRetry(policy, attempt, end);
}

/** The attempt whose end is recorded: the job, the attempt that owns it, and the runner's copy. */
export interface EndingAttempt {
  jobId: string;
  attempt: number;
  policy: RetryPolicy;
  /** The fence of every write: the runner's copy of the record (when only it can have changed it). */
  fence: TransitionOptions;
}

/**
 * Records a job's end (`to`, a final status) with what follows it: its metrics, its callback
 * announced (a send that fails throws: the message comes back and announces it then).
 */
export async function finishAttempt(
  deps: Pick<AttemptDependencies, 'store' | 'metrics' | 'callbacks'>,
  log: AttemptLog,
  id: string,
  to: JobStatus,
  patch: Partial<JobRecord>,
  fence: TransitionOptions = {},
): Promise<JobRecord> {
  const job = await finishJob(deps.store, id, to, { nextAttemptAt: undefined, ...patch }, fence);
  log.info({ event: 'finish', status: job.status, exitCode: job.exitCode, runMs: job.runMs }, 'job finished');
  await tellFinished(deps, job, log);
  return job;
}

/**
 * The attempt failed and the policy runs the job again: back to `queued` with the reason and the
 * time of the next attempt; the message comes back after the backoff. A write that fails throws:
 * the message comes back in seconds, and its delivery takes the attempt over once its lease ends.
 */
export async function retryLater(
  deps: Pick<AttemptDependencies, 'store' | 'random'>,
  log: AttemptLog,
  ending: EndingAttempt,
  patch: Partial<JobRecord> & { error: string; attemptHistory: AttemptRecord[] },
): Promise<DeliveryOutcome> {
  const { jobId, attempt, policy, fence } = ending;
  const delaySeconds = retryDelaySeconds(policy, attempt, deps.random);
  const nextAttemptAt = new Date(Date.now() + delaySeconds * 1000).toISOString();
  try {
    await deps.store.transition(jobId, 'queued', { ...patch, nextAttemptAt }, fence);
  } catch (error) {
    if (error instanceof StaleAttemptError) throw error;
    // The message comes back in seconds (the consumer's pause after a failed delivery), not after
    // the queue's visibility timeout: the next delivery finds the claim and takes it over.
    log.error({ event: 'retry-unrecorded', err: error }, 'could not record the failed attempt');
    throw error;
  }
  log.warn(
    { event: 'retry', attempt, delaySeconds, reason: patch.error },
    `attempt ${attempt} failed; the next one runs in ${delaySeconds} s`,
  );
  return hold(delaySeconds);
}

/**
 * Records an attempt's end; when another runner has taken the job over meanwhile (this one's lease
 * ran out), its write is refused and the job is the other's: the message is left to it.
 */
export async function fenced(
  log: AttemptLog,
  attempt: number,
  record: () => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  try {
    return await record();
  } catch (error) {
    if (!(error instanceof StaleAttemptError)) throw error;
    log.warn({ event: 'lease-lost', attempt }, error.message);
    return RETURN;
  }
}

/**
 * An attempt that ended with a failure of the system's own (the process could not start, the
 * process that starts tasks died, the store could not record the start): run again under the policy;
 * on the last delivery, failed saying so (and the message goes to the dead-letter queue); otherwise
 * failed with the reason.
 */
export function endWithError(
  deps: Pick<AttemptDependencies, 'store' | 'metrics' | 'callbacks' | 'random'>,
  log: AttemptLog,
  ending: EndingAttempt,
  failure: { reason: string; receiveCount: number; lastDelivery: boolean; runMs: number; error: unknown },
  attemptHistory: AttemptRecord[],
): Promise<DeliveryOutcome> {
  const { reason, receiveCount, lastDelivery, runMs } = failure;
  return fenced(log, ending.attempt, async () => {
    if (runsAgain(ending.policy, ending.attempt, { kind: 'error' }, lastDelivery)) {
      return retryLater(deps, log, ending, { error: reason, attemptHistory, runMs });
    }
    if (lastDelivery) {
      const error = `gave up after ${receiveCount} deliveries (${reason}); the message moves to the dead-letter queue`;
      await finishAttempt(deps, log, ending.jobId, 'failed', { error, runMs, attemptHistory }, ending.fence);
      log.error(
        { event: 'dead-letter', receiveCount, err: failure.error },
        'job failed on its last delivery',
      );
      // Visible again at once: the next receive moves it to the dead-letter queue.
      return hold(0);
    }
    const error = `attempt ${ending.attempt} failed: ${reason}`;
    await finishAttempt(deps, log, ending.jobId, 'failed', { error, runMs, attemptHistory }, ending.fence);
    return DONE;
  });
}

/**
 * An attempt that ended with its task's result: run again when the policy says so for that end,
 * otherwise the job's final status with the result.
 */
export function endWithResult(
  deps: Pick<AttemptDependencies, 'store' | 'metrics' | 'callbacks' | 'random'>,
  log: AttemptLog,
  ending: EndingAttempt,
  result: {
    status: JobStatus;
    end: AttemptEnd | undefined;
    error: string | undefined;
    retryReason: string;
    lastDelivery: boolean;
    patch: Partial<JobRecord>;
  },
  attemptHistory: AttemptRecord[],
): Promise<DeliveryOutcome> {
  const { status, end, error, patch } = result;
  return fenced(log, ending.attempt, async () => {
    if (runsAgain(ending.policy, ending.attempt, end, result.lastDelivery)) {
      return retryLater(deps, log, ending, { ...patch, error: result.retryReason, attemptHistory });
    }
    await finishAttempt(deps, log, ending.jobId, status, { ...patch, error, attemptHistory }, ending.fence);
    return DONE;
  });
}
