import { Cron } from 'croner';

/**
 * A schedule: a task, its input and a cron expression; each fire time makes one job (`scheduleId`
 * on it), as BullMQ's job schedulers and Trigger.dev's schedules do. Fire times are whole minutes
 * (five fields: minute, hour, day of month, month, day of week) in the schedule's IANA time zone.
 */
export interface Schedule {
  id: string;
  task: string;
  input: Record<string, unknown>;
  cron: string;
  /** IANA time zone the cron expression is read in (default UTC). */
  timezone: string;
  /**
   * `skip` (default): a fire time whose previous run has not finished makes no job (counted in
   * `skipped`); `allow`: it makes one anyway.
   */
  overlap: 'skip' | 'allow';
  /** `false` (default): fire times missed while nothing fired (a stack that was down) are counted in
   * `missed`, not run; `true`: each is run, oldest first. */
  catchUp: boolean;
  paused: boolean;
  /** Its jobs' concurrency key (lib/jobs/concurrency-keys.ts). */
  concurrencyKey?: string;
  createdAt: string;
  updatedAt: string;
  /** Bumped by every change: the compare-and-set of two schedulers (or a PATCH) on one schedule. */
  version: number;
  /** The next fire time; null while paused. */
  nextRunAt: string | null;
  /** The last fire time that made a job, and that job. */
  lastRunAt?: string;
  lastJobId?: string;
  /** Jobs made, fire times skipped (overlap), fire times missed (not caught up). */
  runs: number;
  skipped: number;
  missed: number;
}

/** The most schedules a stack keeps (each costs a read per firing pass). */
export const MAX_SCHEDULES = 1000;

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** Whether a time zone is one this runtime knows (IANA names, such as Europe/Paris, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression cannot be a schedule's (undefined: it can). */
export function cronProblem(cron: string, timezone: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    return 'cron must have five fields (minute hour day-of-month month day-of-week), such as "*/5 * * * *"';
  }
  try {
    const next = new Cron(cron, { timezone, paused: true }).nextRun();
    if (!next) return 'cron never fires';
  } catch (error) {
    return `cron is not valid: ${(error as Error).message}`;
  }
  return undefined;
}

/** The schedule's first fire time after `after`, or null (paused, or it never fires again). */
export function nextFireAfter(
  schedule: Pick<Schedule, 'cron' | 'timezone' | 'paused'>,
  after: Date,
): Date | null {
  if (schedule.paused) return null;
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRun(after);
}

/** The schedule's fire times in (after, until], oldest first, at most `max`. */
export function fireTimesBetween(
  schedule: Pick<Schedule, 'cron' | 'timezone'>,
  after: Date,
  until: Date,
  max: number,
): Date[] {
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  const times: Date[] = [];
  let next = cron.nextRun(after);
  while (next && next.getTime() <= until.getTime() && times.length < max) {
    times.push(next);
    next = cron.nextRun(next);
  }
  return times;
}

/** A schedule as the API shows it. */
export function scheduleView(schedule: Schedule) {
  return {
    id: schedule.id,
    task: schedule.task,
    input: schedule.input,
    cron: schedule.cron,
    timezone: schedule.timezone,
    overlap: schedule.overlap,
    catchUp: schedule.catchUp,
    paused: schedule.paused,
    concurrencyKey: schedule.concurrencyKey ?? null,
    nextRunAt: schedule.nextRunAt,
    lastRunAt: schedule.lastRunAt ?? null,
    lastJobId: schedule.lastJobId ?? null,
    runs: schedule.runs,
    skipped: schedule.skipped,
    missed: schedule.missed,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
    links: { self: `/api/schedules/${schedule.id}` },
  };
}
