import type { AttemptRecord, JobRecord } from '../job-record';
import { isFinal } from '../job-record';
import {
  adoptJob,
  announceFinished,
  claimAttempt,
  isHeldElsewhere,
  jobMessage,
  recordCancelBeforeStart,
  releaseScheduled,
  secondsUntilDue,
  tellFinished,
} from '../job-lifecycle';
import { DEFAULT_RETRY_POLICY, shouldRetry } from '../retry-policy';
import type { RetryPolicy } from '../retry-policy';
import { isTaskRefusal } from '../../tasks/task-errors';
import { DONE, hold } from './delivery';
import type { AttemptDependencies, AttemptLog, Delivery, DeliveryOutcome } from './delivery';
import { finishAttempt } from './end-attempt';
import { fairShareWait } from './key-share';
import type { Yielded } from './key-share';

/** An attempt this delivery may run: claimed for it, not cancelled, its job read as it is now. */
export interface ClaimedAttempt {
  kind: 'claimed';
  /** The record as read: `queued`, or `running` when an abandoned attempt is taken over. */
  job: JobRecord;
  attempt: number;
  policy: RetryPolicy;
  /** The job's ended attempts, an abandoned one included. */
  history: AttemptRecord[];
}

type Step = DeliveryOutcome | ClaimedAttempt | Yielded;

/**
 * The attempt's decisions before any process starts, in order: the job's record (adopted when the
 * message came without one), a delayed job not due yet, a final job, a retry not due yet, a job
 * running elsewhere or abandoned, another key's turn (the fair share), the claim of the next
 * attempt, a cancel that came first. Each
 * answers what becomes of the message, the claimed attempt to run, or the key to let go first.
 */
export async function openAttempt(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
): Promise<Step> {
  let job = await findJob(deps, log, delivery);
  if (!job) return DONE;
  if (job.status === 'scheduled') {
    const dueInSeconds = secondsUntilDue(job);
    if (dueInSeconds > 0) {
      log.info({ event: 'not-due', dueInSeconds }, 'scheduled job not due yet; its message sent on');
      return {
        kind: 'send-on',
        message: jobMessage(job),
        delaySeconds: dueInSeconds,
      };
    }
    job = await releaseScheduled(deps.store, job);
  }
  if (isFinal(job.status)) {
    // Its deliverer may not have been told yet: the send failed when the job ended, or the job
    // was cancelled over HTTP and that send failed. Told now (a no-op when it was).
    await announceFinished(deps, job, log);
    log.info({ event: 'duplicate', status: job.status }, 'job already finished; delivery ignored');
    return DONE;
  }
  const policy = deps.catalogue.get(job.task)?.retry ?? DEFAULT_RETRY_POLICY;
  const history = [...(job.attemptHistory ?? [])];
  const early = retryNotDue(log, job, delivery);
  if (early) return early;
  if (job.status === 'running') {
    const takeover = await takeOverRunning(deps, log, job, policy, history);
    if (takeover) return takeover;
  } else {
    const wait = await fairShareWait(deps, log, delivery, job);
    if (wait) return wait;
  }
  return claimNext(deps, log, job, { policy, history });
}

/** The job of a delivery: its record, or one adopted from a message that came without one. */
async function findJob(
  deps: AttemptDependencies,
  log: AttemptLog,
  delivery: Delivery,
): Promise<JobRecord | undefined> {
  const job = await deps.store.get(delivery.jobId);
  if (job) return job;
  if (delivery.fromSubmit) {
    // The submit that made this message rolled its job back (it answered 503): nothing to run.
    log.warn({ event: 'orphan' }, 'no record for this job id; dropped');
    return undefined;
  }
  const { jobId: id, task, input, concurrencyKey } = delivery;
  const key = concurrencyKey !== undefined ? { concurrencyKey } : {};
  try {
    deps.catalogue.prepare(task, input);
  } catch (error) {
    if (!isTaskRefusal(error)) throw error;
    const refused = await adoptJob(deps.store, { id, task, input, ...key }, error.message);
    log.warn({ event: 'rejected', status: refused.status }, error.message);
    return undefined;
  }
  const adopted = await adoptJob(deps.store, { id, task, input, ...key });
  log.info({ event: 'enqueue', task, source: 'queue' }, 'job adopted from the queue');
  return adopted;
}

/** A queued job's next attempt that is not due yet (a second message, or a backoff not set). */
function retryNotDue(log: AttemptLog, job: JobRecord, delivery: Delivery): DeliveryOutcome | undefined {
  if (job.status !== 'queued' || !job.nextAttemptAt) return undefined;
  const waitSeconds = Math.ceil((Date.parse(job.nextAttemptAt) - Date.now()) / 1000);
  if (waitSeconds <= 0 || delivery.lastDelivery) return undefined;
  log.info({ event: 'early', waitSeconds }, 'next attempt not due yet; delivery returned');
  return hold(waitSeconds);
}

/**
 * A `running` job: held by a runner alive elsewhere (the message comes back after a lease), or
 * abandoned (its runner's lease ran out): failed when the policy runs it no more, otherwise taken
 * over by this delivery (undefined: go on to the claim).
 */
async function takeOverRunning(
  deps: AttemptDependencies,
  log: AttemptLog,
  job: JobRecord,
  policy: RetryPolicy,
  history: AttemptRecord[],
): Promise<DeliveryOutcome | undefined> {
  const holder = await isHeldElsewhere(deps.store, job);
  if (holder) {
    log.info({ event: 'busy', owner: holder }, 'job is running elsewhere; delivery returned');
    return hold(Math.ceil(deps.leaseMs / 1000));
  }
  const error = `the runner of attempt ${job.attempts} stopped answering (its lease ran out)`;
  history.push({
    attempt: job.attempts,
    startedAt: job.startedAt ?? null,
    finishedAt: new Date().toISOString(),
    exitCode: null,
    signal: null,
    error,
  });
  if (!shouldRetry(policy, job.attempts, { kind: 'error' })) {
    await finishAttempt(
      deps,
      log,
      job.id,
      'failed',
      { error, attemptHistory: history },
      { attempt: job.attempts },
    );
    return DONE;
  }
  log.warn({ event: 'takeover', attempt: job.attempts + 1 }, 'previous attempt was abandoned; running again');
  return undefined;
}

/**
 * Claims the job's next attempt. Not claimed: the job ended meanwhile, a cancel holds the attempt
 * (it never runs), another runner holds it (back when its lease ends), or its claimer stopped before
 * starting it (taken over). Claimed with a cancel waiting: cancelled before it started.
 */
async function claimNext(
  deps: AttemptDependencies,
  log: AttemptLog,
  job: JobRecord,
  { policy, history }: { policy: RetryPolicy; history: AttemptRecord[] },
): Promise<Step> {
  const { store, owner, leaseMs } = deps;
  const { attempt, claimed, cancelRequested } = await claimAttempt(store, job, { owner, leaseMs });
  if (!claimed) {
    const latest = await store.get(job.id);
    if (latest && isFinal(latest.status)) return DONE;
    const claim = await store.readClaim(job.id, attempt);
    const leaseLeftMs = claim ? Date.parse(claim.leaseUntil) - Date.now() : leaseMs;
    if (claim?.kind === 'cancel') {
      // A cancel claimed this attempt before any run: it never runs. Its request records the end
      // in a moment; if it stopped in between (its claim's lease ran out), this delivery does.
      if (leaseLeftMs > 0) return hold(Math.ceil(leaseLeftMs / 1000));
      const cancelled = await recordCancelBeforeStart(store, job.id);
      await tellFinished(deps, cancelled.job, log, { recorded: cancelled.recorded });
      return DONE;
    }
    const neverStarted = latest?.status === 'queued' && latest.attempts === job.attempts;
    if (!(neverStarted && leaseLeftMs <= 0)) {
      log.info({ event: 'busy', attempt }, 'another worker claimed this attempt; delivery returned');
      // Back when that claim's lease ends, not after the queue's visibility timeout (66 min).
      return hold(Math.max(1, Math.ceil(leaseLeftMs / 1000)));
    }
    // Claimed but never started, and its lease ran out: its runner stopped in between (its store
    // went away, or its process). Take the claim over; the start's compare-and-set on the job
    // record still lets only one runner through if it comes back.
    await store.updateClaim(job.id, attempt, {
      owner,
      claimedAt: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + leaseMs).toISOString(),
      released: false,
    });
    if (!claim?.released)
      log.warn({ event: 'takeover', attempt }, 'attempt was claimed but never started; running it');
  }
  if (cancelRequested) {
    const error = 'cancelled before it started';
    await finishAttempt(deps, log, job.id, 'cancelled', { attempts: attempt, error });
    return DONE;
  }
  if (job.status === 'queued' && job.attempts === 0 && job.startBy && Date.parse(job.startBy) <= Date.now()) {
    // Its next attempt is claimed by this delivery: nobody else starts it meanwhile.
    const error = `not started by ${job.startBy} (its startBy): it never ran`;
    await finishAttempt(
      deps,
      log,
      job.id,
      'expired',
      { attempts: attempt, error },
      { attempt: job.attempts },
    );
    return DONE;
  }
  return { kind: 'claimed', job, attempt, policy, history };
}
