import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Config } from '../config';
import { cachedParameter, createSsmClient } from '../ssm-parameter';

/** What completion callbacks are signed with, read when a delivery signs one. */
export type CallbackSecret = () => Promise<string>;

export class CallbackSecretError extends Error {
  override name = 'CallbackSecretError';
}

/** The shortest secret accepted: 16 characters, as CALLBACK_SECRET. */
export const MIN_SECRET_LENGTH = 16;

function checkedSecret(value: string): string {
  const secret = value.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new CallbackSecretError(
      `the callback secret has ${secret.length} characters, not ${MIN_SECRET_LENGTH} or more`,
    );
  }
  return secret;
}

/**
 * CALLBACK_SECRET as given (the local stack), or the SecureString named by
 * CALLBACK_SECRET_PARAMETER (deployed), read at most every 5 minutes: a new value there signs
 * within that time, without a deploy. Undefined when neither is set (callbacks are off).
 */
export function callbackSecretSource(
  config: Pick<Config, 'callbackSecret' | 'callbackSecretParameter' | 'region'>,
  ssm: () => Pick<SSMClient, 'send'> = () => createSsmClient(config.region),
): CallbackSecret | undefined {
  const { callbackSecret, callbackSecretParameter } = config;
  if (callbackSecret !== undefined) return async () => callbackSecret;
  if (callbackSecretParameter === undefined) return undefined;
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
