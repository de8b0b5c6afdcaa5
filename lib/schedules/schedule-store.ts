import type { Schedule } from './schedule';

/**
 * Where schedules live: the job store's database or table, beside the jobs (two adapters,
 * lib/store/sqlite-schedule-store.ts and dynamodb-schedule-store.ts, one contract suite). Every
 * change is a compare-and-set on the schedule's `version`, so two schedulers (or a PATCH during a
 * firing pass) never undo each other's change.
 */
export interface ScheduleStore {
  /** Create-if-absent on the id. */
  create(schedule: Schedule): Promise<void>;
  get(id: string): Promise<Schedule | undefined>;
  /** Oldest first (ids order by creation), a page at a time. */
  list(query?: { limit?: number; cursor?: string }): Promise<{ schedules: Schedule[]; nextCursor?: string }>;
  /** Schedules not paused whose next fire time is at or before `now` (ISO), at most `limit`. */
  due(now: string, limit: number): Promise<Schedule[]>;
  /** Writes `next` while the stored schedule is still at version `expectedVersion`; false otherwise. */
  replace(next: Schedule, expectedVersion: number): Promise<boolean>;
  /** Removes it; false when there was none. */
  remove(id: string): Promise<boolean>;
  count(): Promise<number>;
  close(): Promise<void>;
}
