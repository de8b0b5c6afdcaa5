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
