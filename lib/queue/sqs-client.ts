import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';

/**
 * The SQS client the handlers share. Short timeouts: an unreachable queue must turn into a quick
 * 503, not a request that hangs until API Gateway gives up at 29 s.
 */
export function createSqsClient(
  config: Pick<Config, 'region' | 'sqsEndpoint' | 'useLocalCredentials'>,
  options: { requestTimeoutMs?: number } = {},
): SQSClient {
  return new SQSClient({
    region: config.region,
    endpoint: config.sqsEndpoint,
    credentials: config.useLocalCredentials ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: options.requestTimeoutMs ?? 5000 },
  });
}
