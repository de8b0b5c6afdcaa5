/** The job record and its state machine. */
import type { JobUsage, LimitScopes, TaskLimits } from '../process/task-limits';

export const JOB_STATUSES = [
  'scheduled',
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'expired',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINAL_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'expired',
];

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  // scheduled → queued once its time has come; failed: a delivery that can no longer run it.
  // scheduled | queued → expired: not started by its startBy (it never runs).
  scheduled: ['queued', 'cancelled', 'failed', 'expired'],
  // queued → timed_out only undoes a retry on demand whose message could not be sent.
  queued: ['running', 'failed', 'cancelled', 'timed_out', 'expired'],
  // running → running: a crashed attempt is taken over by the next delivery.
  // running → queued: a failed attempt waits for its next one (the retry policy's backoff).
  running: ['running', 'queued', 'succeeded', 'failed', 'timed_out', 'cancelled'],
  succeeded: [],
  // A retry on demand (POST /api/jobs/{id}/retry) queues an ended job again as its next attempt.
  failed: ['queued'],
  timed_out: ['queued'],
  cancelled: ['queued'],
  expired: [],
};

/** Ended jobs that a retry on demand may queue again. */
export const RETRYABLE_STATUSES: readonly JobStatus[] = ['failed', 'timed_out', 'cancelled'];

export interface JobOutput {
  stdout: string;
  stderr: string;
  /** True when the task wrote more than its output cap and the rest was dropped. */
  truncated: boolean;
}

/** One attempt of a job, kept on the record once it has ended. */
export interface AttemptRecord {
  attempt: number;
  startedAt: string | null;
  finishedAt: string;
  exitCode: number | null;
  signal: string | null;
  /** Why the attempt failed when that was not the task's own exit (or the timeout, the cancel). */
  error: string | null;
}

/** A completion callback: where the job's view is POSTed once it is final, and how that went. */
export interface CallbackState {
  url: string;
  /** pending: the job has not ended, or its delivery is still being tried; failed: given up. */
  status: 'pending' | 'delivered' | 'failed';
  /** Deliveries tried so far. */
  attempts: number;
  lastError: string | null;
  deliveredAt?: string;
  /**
   * When the deliverer was told (its message sent). A final job's callback without it, and not yet
   * tried, is announced again when the job's message comes back: a send that failed is not lost.
   */
  queuedAt?: string;
}

/** Whether the callback deliverer has been told of this callback (or has tried it already). */
export function isAnnounced(callback: CallbackState): boolean {
  return callback.queuedAt !== undefined || callback.attempts > 0;
}

export interface JobRecord {
  id: string;
  task: string;
  input: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  queuedAt: string;
  /** A delayed job: not started before this time (it is `scheduled` until then). */
  runAt?: string;
  /** Not started by this time, the job ends `expired` and never runs. */
  startBy?: string;
  /** The schedule whose fire time made this job (lib/schedules), and that fire time. */
  scheduleId?: string;
  scheduledFor?: string;
  /** Who the job belongs to, for the fair share of the slots and its task's perKey (concurrency-keys.ts). */
  concurrencyKey?: string;
  /** The finish-by time its submit asked for (checked against the ETA at submit). */
  deadline?: string;
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
  /** Every ended attempt, oldest first. */
  attemptHistory?: AttemptRecord[];
  /** While a failed attempt waits for its next one: when that one may start. */
  nextAttemptAt?: string;
  /** SHA-256 of the Idempotency-Key of the retry on demand that queued the job again. */
  retryKey?: string;
  /** Where to POST the job once it is final (`callback: { url }` at submit). */
  callback?: CallbackState;
  /** What the last attempt's processes used: CPU, peak memory, processes (lib/process/task-limits.ts). */
  usage?: JobUsage;
  /** The task's limits on the last attempt, and how each held (whole job, per process, not at all). */
  limits?: TaskLimits & { held: LimitScopes };
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
