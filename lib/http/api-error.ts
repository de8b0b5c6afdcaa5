/**
 * An error a client may see: HTTP status, a stable machine-readable code and a message.
 * Handlers throw these; the error middleware turns them into `{ error: { code, message } }`.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  /** Whether the message may reach the client (middy's convention, as in http-errors). */
  readonly expose: boolean;
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options: ErrorOptions & { expose?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message, options);
    // A 5xx we raise on purpose (queue unavailable) has a safe message: expose it too.
    this.expose = options.expose ?? true;
    this.headers = options.headers;
  }
  /** Headers the answer carries (e.g. Retry-After). */
  readonly headers: Record<string, string> | undefined;
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unavailable = (code: string, message: string, cause?: unknown) =>
  new ApiError(503, code, message, { cause });
/** 429 with Retry-After: the client should come back later, nothing was done. */
export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number) =>
  new ApiError(429, code, message, { headers: { 'retry-after': String(retryAfterSeconds) } });
