import type { SSMClient } from '@aws-sdk/client-ssm';
import { cachedParameter } from '../ssm-parameter';
import { parseTokenHashes } from './api-tokens';

/** Where the accepted token hashes come from; cached, so a request costs no lookup. */
export type TokenSource = () => Promise<string[]>;

export class TokenSourceError extends Error {
  override name = 'TokenSourceError';
}

/** Hashes given in the configuration (API_TOKEN_HASHES): the local stack. */
export function staticTokenSource(hashes: readonly string[]): TokenSource {
  const list = [...hashes];
  return async () => list;
}

/**
 * Hashes kept in an SSM parameter (deployed stacks), read at most once per `ttlMs` per execution
 * environment, so a new or revoked token takes effect within that time. A failed read keeps the last
 * good list until it is `ttlMs` stale, then fails closed (no list, no access).
 */
export function ssmTokenSource({
  ssm,
  parameterName,
  ttlMs,
}: {
  ssm: Pick<SSMClient, 'send'>;
  parameterName: string;
  ttlMs?: number;
}): TokenSource {
  return cachedParameter({
    ssm,
    parameterName,
    ttlMs,
    parse: parseTokenHashes,
    failure: (cause) =>
      new TokenSourceError(`cannot read the API token hashes from ${parameterName}`, { cause }),
  });
}
