/**
 * Failures of the job store that a client may be told about. They know nothing of HTTP: the one
 * error map (lib/http/error-map.ts) says how each is answered.
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  constructor(options?: ErrorOptions) {
    super('the job store has no space left; nothing was written, try again once space is freed', options);
  }
}

export class JobRecordUnreadableError extends Error {
  override name = 'JobRecordUnreadableError';
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
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super('the job store is not answering; nothing was changed, try again shortly', options);
  }
}
