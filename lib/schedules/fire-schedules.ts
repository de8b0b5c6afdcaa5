import { newJobId } from '../jobs/job-id';
import { submitJob } from '../jobs/job-lifecycle';
import { isFinal } from '../jobs/job-record';
import type { JobRecord } from '../jobs/job-record';
import type { JobStore } from '../jobs/job-store';
import type { Logger } from '../logger';
import type { JobQueue } from '../queue/job-queue';
import type { Catalogue } from '../tasks/catalogue';
import { isTaskRefusal } from '../tasks/task-errors';
import { reasonOf } from '../reason-of';
import { fireTimesBetween, nextFireAfter } from './schedule';
import type { Schedule } from './schedule';
import type { ScheduleStore } from './schedule-store';

/**
 * A fire time older than this when a firing pass comes to it was missed (the stack was down, or
 * paused in a debugger): it runs only if its schedule catches up. A pass comes every second locally
 * and every minute deployed, so a time the scheduler was up for is never older.
 */
export const MISSED_AFTER_MS = 90_000;
/** The most missed fire times one pass runs for a schedule that catches up (the rest: next pass). */
const MAX_CATCH_UP = 100;
/** The most schedules one pass fires (the rest: the next pass). */
const MAX_PER_PASS = 200;

export interface FiringDependencies {
  schedules: ScheduleStore;
  store: JobStore;
  queue: Pick<JobQueue, 'send'>;
  catalogue: Catalogue;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** What one pass did: jobs made, fire times skipped (overlap), missed (not caught up). */
export interface Fired {
  fired: number;
  skipped: number;
  missed: number;
}

/**
 * One firing pass: every schedule whose next fire time has come makes a job for it. The job is made
 * with the Idempotency-Key `schedule:<id>:<fire time>`, so two schedulers at once (two stacks, two
 * Lambda invocations, a pass that stopped half-way) make one job per fire time; the schedule then
 * moves on by a compare-and-set on its version, and the pass that loses leaves it to the winner.
 */
export async function fireDueSchedules(deps: FiringDependencies, now = new Date()): Promise<Fired> {
  const total: Fired = { fired: 0, skipped: 0, missed: 0 };
  for (const schedule of await deps.schedules.due(now.toISOString(), MAX_PER_PASS)) {
    try {
      const done = await fireSchedule(deps, schedule, now);
      total.fired += done.fired;
      total.skipped += done.skipped;
      total.missed += done.missed;
    } catch (error) {
      // One schedule's failure (the queue or the store down) leaves it due: the next pass tries again.
      deps.log.warn({ event: 'schedule-failed', scheduleId: schedule.id, err: error }, reasonOf(error));
    }
  }
  return total;
}

/** The fire times that have come since the schedule last moved on: which to run, how many missed. */
function timesToRun(schedule: Schedule, now: Date): { run: Date[]; missed: number } {
  const first = new Date(schedule.nextRunAt!);
  const times = [first, ...fireTimesBetween(schedule, first, now, MAX_CATCH_UP)];
  if (schedule.catchUp) return { run: times, missed: 0 };
  const latest = times.at(-1)!;
  const run = now.getTime() - latest.getTime() <= MISSED_AFTER_MS ? [latest] : [];
  return { run, missed: times.length - run.length };
}

async function fireSchedule(deps: FiringDependencies, schedule: Schedule, now: Date): Promise<Fired> {
  const { run, missed } = timesToRun(schedule, now);
  let { lastJobId, lastRunAt } = schedule;
  let fired = 0;
  let skipped = 0;
  for (const time of run) {
    if (schedule.overlap === 'skip' && lastJobId && !(await hasEnded(deps.store, lastJobId))) {
      skipped += 1;
      deps.log.info(
        {
          event: 'schedule-skip',
          scheduleId: schedule.id,
          fireTime: time.toISOString(),
          runningJobId: lastJobId,
        },
        'its previous run has not finished (overlap: skip): no job for this fire time',
      );
      continue;
    }
    const job = await makeJob(deps, schedule, time);
    if (!job) {
      skipped += 1;
      continue;
    }
    fired += 1;
    lastJobId = job.id;
    lastRunAt = time.toISOString();
  }
  // The last fire time handled, not now: a catch-up bounded by MAX_CATCH_UP goes on next pass.
  const handledUntil = run.length === MAX_CATCH_UP + 1 ? run.at(-1)! : now;
  const next: Schedule = {
    ...schedule,
    version: schedule.version + 1,
    nextRunAt: nextFireAfter(schedule, handledUntil)?.toISOString() ?? null,
    ...(lastJobId ? { lastJobId } : {}),
    ...(lastRunAt ? { lastRunAt } : {}),
    runs: schedule.runs + fired,
    skipped: schedule.skipped + skipped,
    missed: schedule.missed + missed,
  };
  if (!(await deps.schedules.replace(next, schedule.version))) return { fired: 0, skipped: 0, missed: 0 };
  if (missed > 0) {
    deps.log.warn(
      { event: 'schedule-missed', scheduleId: schedule.id, missed },
      `${missed} fire time(s) passed while nothing fired; not run (the schedule does not catch up)`,
    );
  }
  return { fired, skipped, missed };
}

async function hasEnded(store: JobStore, jobId: string): Promise<boolean> {
  const job = await store.get(jobId);
  return !job || isFinal(job.status);
}

/** The job of one fire time, made once whoever fires it; undefined when its task refuses it now. */
async function makeJob(
  deps: FiringDependencies,
  schedule: Schedule,
  time: Date,
): Promise<JobRecord | undefined> {
  const { task, input, concurrencyKey } = schedule;
  try {
    deps.catalogue.prepare(task, input);
  } catch (error) {
    if (!isTaskRefusal(error)) throw error;
    deps.log.warn({ event: 'schedule-refused', scheduleId: schedule.id }, `no job made: ${reasonOf(error)}`);
    return undefined;
  }
  const record: JobRecord = {
    id: newJobId(),
    task,
    input,
    status: 'queued',
    attempts: 0,
    queuedAt: new Date().toISOString(),
    scheduleId: schedule.id,
    scheduledFor: time.toISOString(),
    ...(concurrencyKey !== undefined ? { concurrencyKey } : {}),
  };
  const idempotencyKey = `schedule:${schedule.id}:${time.toISOString()}`;
  const { job, created } = await submitJob({ store: deps.store, queue: deps.queue }, record, {
    idempotencyKey,
  });
  if (created) {
    deps.log.info(
      { event: 'schedule-fire', scheduleId: schedule.id, fireTime: time.toISOString(), jobId: job.id },
      'schedule fired: job queued',
    );
  }
  return job;
}
