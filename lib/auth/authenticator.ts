import { tokenMatches } from './api-tokens';
import { AuthUnavailableError, UnauthorizedError } from './auth-errors';
import type { TokenSource } from './token-source';
import { TokenSourceError } from './token-source';

/** Checks a request's `Authorization: Bearer <token>`; throws UnauthorizedError when it does not pass. */
export interface Authenticator {
  /** False when no token is configured (the local stack on loopback): every request passes. */
  readonly enabled: boolean;
  authenticate(authorization: string | undefined): Promise<void>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const unauthorized = (message: string) => new UnauthorizedError(message);

export function createAuthenticator(source: TokenSource | undefined): Authenticator {
  if (!source) return { enabled: false, authenticate: async () => undefined };
  return {
    enabled: true,
    async authenticate(authorization) {
      // The token itself never reaches a message or a log line.
      const token = BEARER.exec(authorization ?? '')?.[1];
      if (!token) throw unauthorized('this API needs an Authorization: Bearer <token> header');
      let hashes: string[];
      try {
        hashes = await source();
      } catch (error) {
        if (error instanceof TokenSourceError) {
          throw new AuthUnavailableError('the API tokens cannot be read right now', { cause: error });
        }
        throw error;
      }
      if (!tokenMatches(token, hashes)) throw unauthorized('the token is not valid');
    },
  };
}
