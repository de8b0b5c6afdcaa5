import type { Schedule } from '../../lib/schedules/schedule';
import { newJobId } from '../../lib/jobs/job-id';
import type { JobRecord } from '../../lib/jobs/job-record';

/** A queued job record as the submit handler writes it; override any field. */
export function queuedJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: newJobId(),
    task: 'echo',
    input: { text: 'hi' },
    status: 'queued',
    attempts: 0,
    queuedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A schedule record, due now unless told otherwise. */
export function aSchedule(fields: Partial<Schedule> = {}): Schedule {
  const now = new Date().toISOString();
  return {
    id: newJobId(),
    task: 'echo',
    input: { text: 'tick' },
    cron: '* * * * *',
    timezone: 'UTC',
    overlap: 'skip',
    catchUp: false,
    paused: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
    nextRunAt: now,
    runs: 0,
    skipped: 0,
    missed: 0,
    ...fields,
  };
}
