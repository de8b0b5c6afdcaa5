import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** A value read from an SSM parameter: the API token hashes, the callback secret. */
export type ParameterSource<T> = () => Promise<T>;

/**
 * An SSM parameter (a SecureString is decrypted), read at most once per `ttlMs` per execution
 * environment, so a changed value takes effect within that time without a deploy; overlapping reads
 * share one call. A read that fails (or a value `parse` refuses) keeps the last good value until it
 * is twice `ttlMs` stale, then fails: `failure(cause)` is what the caller throws.
 */
export function cachedParameter<T>({
  ssm,
  parameterName,
  parse,
  failure,
  ttlMs = 5 * 60_000,
}: {
  ssm: Pick<SSMClient, 'send'>;
  parameterName: string;
  parse: (value: string) => T;
  failure: (cause: unknown) => Error;
  ttlMs?: number;
}): ParameterSource<T> {
  let cached: { value: T; at: number } | undefined;
  let loading: Promise<T> | undefined;
  const load = async () => {
    try {
      const { Parameter } = await ssm.send(
        new GetParameterCommand({ Name: parameterName, WithDecryption: true }),
      );
      const value = parse(Parameter?.Value ?? '');
      cached = { value, at: Date.now() };
      return value;
    } catch (cause) {
      if (cached && Date.now() - cached.at < 2 * ttlMs) return cached.value;
      throw failure(cause);
    } finally {
      loading = undefined;
    }
  };
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    loading ??= load();
    return loading;
  };
}

export function createSsmClient(region: string): SSMClient {
  return new SSMClient({ region, maxAttempts: 2, requestHandler: { requestTimeout: 3000 } });
}
