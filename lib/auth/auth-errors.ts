/** The request carries no token, or one that is not valid. */
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

/** The accepted tokens cannot be read (their store does not answer): no request can be let in. */
export class AuthUnavailableError extends Error {
  override name = 'AuthUnavailableError';
}
