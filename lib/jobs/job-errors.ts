import type { JobStatus } from './job-record';

/** Base class of the job store's errors. */
export class JobError extends Error {
  override name = 'JobError';
  constructor(
    message: string,
    readonly jobId: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class JobNotFoundError extends JobError {
  override name = 'JobNotFoundError';
  constructor(jobId: string, options?: ErrorOptions) {
    super(`job ${jobId} not found`, jobId, options);
  }
}

export class InvalidTransitionError extends JobError {
  override name = 'InvalidTransitionError';
  constructor(
    jobId: string,
    readonly from: JobStatus,
    readonly to: JobStatus,
  ) {
    super(`job ${jobId} cannot go from ${from} to ${to}`, jobId);
  }
}

/** The job already has its final status: there is nothing left to cancel. */
export class JobFinishedError extends JobError {
  override name = 'JobFinishedError';
  constructor(
    jobId: string,
    readonly status: JobStatus,
  ) {
    super(`job ${jobId} is already ${status}`, jobId);
  }
}

/** The attempt a runner holds is no longer the job's current one: its lease was taken over. */
export class StaleAttemptError extends JobError {
  override name = 'StaleAttemptError';
  constructor(
    jobId: string,
    readonly attempt: number,
    readonly current: number,
  ) {
    super(`job ${jobId} is at attempt ${current}, not ${attempt}: this runner's lease was taken over`, jobId);
  }
}

/** Only an ended job that failed, timed out or was cancelled can be retried on demand. */
export class JobNotRetryableError extends JobError {
  override name = 'JobNotRetryableError';
  constructor(
    jobId: string,
    readonly status: JobStatus,
  ) {
    super(`job ${jobId} is ${status}: only a failed, timed-out or cancelled job can be retried`, jobId);
  }
}

/** A final job's completion callback could not be queued for its deliverer (the send failed). */
export class CallbackUnsentError extends JobError {
  override name = 'CallbackUnsentError';
  constructor(jobId: string, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`the completion callback of job ${jobId} could not be queued${reason}`, jobId, options);
  }
}

/** A submit whose deadline falls before the finish its ETA promises: nothing was written. */
export class DeadlineUnreachableError extends Error {
  override name = 'DeadlineUnreachableError';
  constructor(
    readonly deadline: string,
    readonly eta: { startAt: string; finishAt: string },
  ) {
    super(
      `the job would finish about ${eta.finishAt} (it would start about ${eta.startAt}), after its deadline ${deadline}; nothing was queued`,
    );
  }
}
