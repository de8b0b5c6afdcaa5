/**
 * Failures of the job store that a client may be told about. They carry their HTTP answer
 * (statusCode, code, expose: middy's convention), so the one error middleware answers them in the
 * API's shape wherever they are thrown.
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  readonly statusCode = 507;
  readonly code = 'store_full';
  readonly expose = true;
  constructor(options?: ErrorOptions) {
    super('the job store has no space left; nothing was written, try again once space is freed', options);
  }
}

export class JobRecordUnreadableError extends Error {
  override name = 'JobRecordUnreadableError';
  readonly statusCode = 500;
  readonly code = 'job_unreadable';
  readonly expose = true;
  constructor(
    readonly jobId: string,
    options?: ErrorOptions,
  ) {
    super(`the record of job ${jobId} cannot be read (it is damaged); other jobs are unaffected`, options);
  }
}

/** No space (ENOSPC) or over a quota (EDQUOT). */
export function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The job store does not answer (its database is locked past its busy timeout, its file cannot be
 * opened, the DynamoDB endpoint is unreachable): nothing was written; the caller may try again.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  readonly statusCode = 503;
  readonly code = 'store_unavailable';
  readonly expose = true;
  readonly headers = { 'retry-after': '5' };
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super('the job store is not answering; nothing was changed, try again shortly', options);
  }
}
