import type { SSMClient } from '@aws-sdk/client-ssm';
import { MIN_CALLBACK_SECRET_LENGTH } from '../config';
import type { Config } from '../config';
import { cachedParameter, createSsmClient } from '../ssm-parameter';

/** What completion callbacks are signed with, read when a delivery signs one. */
export type CallbackSecret = () => Promise<string>;

export class CallbackSecretError extends Error {
  override name = 'CallbackSecretError';
}

function checkedSecret(value: string): string {
  const secret = value.trim();
  if (secret.length < MIN_CALLBACK_SECRET_LENGTH) {
    throw new CallbackSecretError(
      `the callback secret has ${secret.length} characters, not ${MIN_CALLBACK_SECRET_LENGTH} or more`,
    );
  }
  return secret;
}

/**
 * CALLBACK_SECRET as given (the local stack), or the SecureString named by
 * CALLBACK_SECRET_PARAMETER (deployed), read at most every 5 minutes: a new value there signs
 * within that time, without a deploy. With neither (callbacks are off: a submit that asks for one
 * is refused), every read fails.
 */
export function callbackSecretSource(
  config: Pick<Config, 'callbackSecret' | 'callbackSecretParameter' | 'region'>,
  ssm: () => Pick<SSMClient, 'send'> = () => createSsmClient(config.region),
): CallbackSecret {
  const { callbackSecret, callbackSecretParameter } = config;
  if (callbackSecret !== undefined) return async () => callbackSecret;
  if (callbackSecretParameter === undefined) {
    return () =>
      Promise.reject(new CallbackSecretError('no CALLBACK_SECRET or CALLBACK_SECRET_PARAMETER is set'));
  }
  return cachedParameter({
    ssm: ssm(),
    parameterName: callbackSecretParameter,
    parse: checkedSecret,
    failure: (cause) =>
      new CallbackSecretError(
        `cannot read the callback secret from ${callbackSecretParameter}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      ),
  });
}
