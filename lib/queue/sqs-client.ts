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
    requestHandler: {
      // No connectionTimeout: the SDK starts that timer while a request still waits for a free socket,
      // so a burst of submits in one process (serverless offline runs every handler in one process)
      // "timed out" against a healthy queue. Requests wait for a socket instead (back-pressure), and
      // each call is bounded as a whole by the abort signal the job queue passes.
      httpAgent: { keepAlive: true, maxSockets: 256 },
      httpsAgent: { keepAlive: true, maxSockets: 256 },
      requestTimeout: options.requestTimeoutMs ?? 5000,
    },
  });
}
