/** The job record and its state machine. */

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['running', 'failed', 'cancelled'],
  // running → running: a crashed attempt is taken over by the next delivery.
  running: ['running', 'succeeded', 'failed', 'timed_out', 'cancelled'],
  succeeded: [],
  failed: [],
  timed_out: [],
  cancelled: [],
};

export interface JobOutput {
  stdout: string;
  stderr: string;
  /** True when the task wrote more than its output cap and the rest was dropped. */
  truncated: boolean;
}

export interface JobRecord {
  id: string;
  task: string;
  input: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Time from queued to the start of the last attempt. */
  waitMs?: number;
  /** Run time of the last attempt. */
  runMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  output?: JobOutput;
  /** Why a job failed without a result of its own (validation, dead-letter queue, cancellation). */
  error?: string;
  /** Set when a cancel was asked for. */
  cancelRequestedAt?: string;
}

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
