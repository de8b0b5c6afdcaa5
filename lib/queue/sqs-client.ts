import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientOptions } from '../aws-client-options';
import type { Config } from '../config';

/**
 * The SQS client the handlers share. Short timeouts: an unreachable queue must turn into a quick
 * 503, not a request that hangs until API Gateway gives up at 29 s.
 */
export function createSqsClient(
  config: Pick<Config, 'region' | 'sqsEndpoint' | 'useLocalCredentials'>,
  options: { requestTimeoutMs?: number } = {},
): SQSClient {
  return new SQSClient(
    awsClientOptions(config, config.sqsEndpoint, {
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      maxAttempts: 2,
    }),
  );
}
