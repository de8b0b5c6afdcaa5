import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
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
  ttlMs = 5 * 60_000,
}: {
  ssm: Pick<SSMClient, 'send'>;
  parameterName: string;
  ttlMs?: number;
}): TokenSource {
  let cached: { hashes: string[]; at: number } | undefined;
  let loading: Promise<string[]> | undefined;
  const load = async () => {
    try {
      const { Parameter } = await ssm.send(
        new GetParameterCommand({ Name: parameterName, WithDecryption: true }),
      );
      const hashes = parseTokenHashes(Parameter?.Value ?? '');
      cached = { hashes, at: Date.now() };
      return hashes;
    } catch (cause) {
      if (cached && Date.now() - cached.at < 2 * ttlMs) return cached.hashes;
      throw new TokenSourceError(`cannot read the API token hashes from ${parameterName}`, { cause });
    } finally {
      loading = undefined;
    }
  };
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.hashes;
    loading ??= load();
    return loading;
  };
}

export function createSsmClient(region: string): SSMClient {
  return new SSMClient({ region, maxAttempts: 2, requestHandler: { requestTimeout: 3000 } });
}
