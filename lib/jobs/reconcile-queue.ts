import type { Logger } from '../logger';
import type { CallbackQueue } from '../queue/callback-queue';
import type { JobQueue } from '../queue/job-queue';
import type { JobStore } from './job-store';
import type { JobRecord } from './job-record';
import { claimBeforeStart, finishJob, jobsWithStatus, sendJobMessage, tellFinished } from './job-lifecycle';
import { InvalidTransitionError, StaleAttemptError } from './job-errors';

/** Since when a waiting job has waited for a delivery: its retry's time, its own time, or its submit. */
function waitingSince(job: JobRecord): number {
  return Date.parse(job.nextAttemptAt ?? job.runAt ?? job.queuedAt);
}

/** What one pass did: jobs sent again, jobs whose message was found in the dead-letter queue. */
export interface Reconciled {
  sent: number;
  deadLettered: number;
}

export interface ReconcileDependencies {
  store: Pick<JobStore, 'countByStatus' | 'list' | 'transition' | 'setCallback' | 'claim'>;
  queue: Pick<JobQueue, 'depth' | 'send' | 'deadLetteredJobIds'>;
  /** Told of a job failed here that asked for a completion callback (absent: its next message tells). */
  callbacks?: Pick<CallbackQueue, 'send'>;
  log?: Pick<Logger, 'warn'>;
}

export const DEAD_LETTERED_ERROR =
  'its message reached the dead-letter queue before its last delivery could be recorded (the store was unavailable); POST /api/jobs/{id}/retry runs it again';

/**
 * Finds the jobs the queue has lost and sends them again. A broker that loses messages (a purge, a
 * message that expired, a restart without persistence) leaves their records `queued` or `scheduled`
 * with nothing to deliver them. The check is cheap: when the jobs queue holds at least as many
 * messages (waiting, in flight, delayed) as the store has unfinished jobs, nothing is lost and
 * nothing is read. When it holds fewer, every job that has waited longer than `graceMs` is sent
 * again: a job whose message still exists then gets two, and the consumer runs it once (its
 * attempt's claim fences a second delivery, a finished job's is dropped).
 *
 * A job whose message is in the dead-letter queue is not sent again: it gave up after the queue's
 * receive limit, and its last delivery could not write that down (a store outage), so it is failed
 * here with the reason, as its last delivery would have done. Its message stays there for a redrive.
 */
export async function reconcileQueue(
  { store, queue, callbacks, log }: ReconcileDependencies,
  { graceMs = 60_000, now = Date.now() }: { graceMs?: number; now?: number } = {},
): Promise<Reconciled> {
  const done: Reconciled = { sent: 0, deadLettered: 0 };
  const [depth, counts] = await Promise.all([queue.depth(), store.countByStatus()]);
  const messages = depth.visible + depth.inFlight + depth.delayed;
  if (messages >= counts.queued + counts.scheduled + counts.running) return done;
  const deadLettered = depth.deadLetter > 0 ? await queue.deadLetteredJobIds() : new Set<string>();
  for await (const job of jobsWithStatus(store, ['queued', 'scheduled'])) {
    if (now - waitingSince(job) < graceMs) continue;
    if (deadLettered.has(job.id)) {
      if (await failDeadLettered({ store, callbacks, log }, job)) done.deadLettered += 1;
      continue;
    }
    await sendJobMessage(queue, job, now);
    done.sent += 1;
  }
  return done;
}

/**
 * Fails a waiting job whose message is in the dead-letter queue; false when it moved on meanwhile.
 * As a cancel of a waiting job does, it first claims the job's next attempt, so a delivery that comes
 * in between (a redrive) never starts it: that delivery finds the claim, then the job final.
 */
async function failDeadLettered(
  { store, callbacks, log }: Pick<ReconcileDependencies, 'store' | 'callbacks' | 'log'>,
  job: JobRecord,
): Promise<boolean> {
  if (!(await claimBeforeStart(store, job, 'reconciler'))) return false;
  let failed: JobRecord;
  try {
    failed = await finishJob(
      store,
      job.id,
      'failed',
      { error: DEAD_LETTERED_ERROR },
      { attempt: job.attempts },
    );
  } catch (error) {
    if (error instanceof StaleAttemptError || error instanceof InvalidTransitionError) return false;
    throw error;
  }
  if (log) await tellFinished({ store, callbacks }, failed, log);
  return true;
}
