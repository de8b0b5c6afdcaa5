import { newJobId } from '../jobs/job-id';
import type { Catalogue } from '../tasks/catalogue';
import { MAX_SCHEDULES, nextFireAfter } from './schedule';
import type { Schedule } from './schedule';
import { ScheduleNotFoundError, SchedulesFullError } from './schedule-errors';
import { readScheduleFields } from './schedule-input';
import type { ScheduleStore } from './schedule-store';

/** Compare-and-set rounds a change tries before it gives up (a firing pass won each time). */
const CHANGE_ROUNDS = 6;

export interface ScheduleDependencies {
  schedules: ScheduleStore;
  catalogue: Catalogue;
}

/** Makes a schedule from a POST body: its next fire time from now (none while paused). */
export async function createSchedule(
  { schedules, catalogue }: ScheduleDependencies,
  body: unknown,
  now = new Date(),
): Promise<Schedule> {
  const fields = readScheduleFields(body, catalogue);
  if ((await schedules.count()) >= MAX_SCHEDULES) throw new SchedulesFullError(MAX_SCHEDULES);
  const at = now.toISOString();
  const schedule: Schedule = {
    id: newJobId(),
    ...fields,
    createdAt: at,
    updatedAt: at,
    version: 1,
    nextRunAt: nextFireAfter(fields, now)?.toISOString() ?? null,
    runs: 0,
    skipped: 0,
    missed: 0,
  };
  await schedules.create(schedule);
  return schedule;
}

export async function readSchedule(schedules: ScheduleStore, id: string): Promise<Schedule> {
  const schedule = await schedules.get(id);
  if (!schedule) throw new ScheduleNotFoundError(id);
  return schedule;
}

/**
 * Changes a schedule from a PATCH body, as a compare-and-set on its version. Its next fire time is
 * computed again from now: a changed cron or time zone takes effect at once, a resumed schedule
 * fires from now on (the times it was paused are not missed ones).
 */
export async function updateSchedule(
  { schedules, catalogue }: ScheduleDependencies,
  id: string,
  body: unknown,
  now = new Date(),
): Promise<Schedule> {
  for (let round = 0; round < CHANGE_ROUNDS; round += 1) {
    const current = await readSchedule(schedules, id);
    const fields = readScheduleFields(body, catalogue, current);
    const next: Schedule = {
      ...current,
      ...fields,
      ...(fields.concurrencyKey === undefined ? { concurrencyKey: undefined } : {}),
      updatedAt: now.toISOString(),
      version: current.version + 1,
      nextRunAt: nextFireAfter(fields, now)?.toISOString() ?? null,
    };
    if (await schedules.replace(next, current.version)) return next;
  }
  throw new Error(`schedule ${id} changed while it was written`);
}

export async function deleteSchedule(schedules: ScheduleStore, id: string): Promise<void> {
  if (!(await schedules.remove(id))) throw new ScheduleNotFoundError(id);
}
