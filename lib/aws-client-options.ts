import type { Config } from './config';

/**
 * What every AWS client of the handlers shares: the region, an endpoint override for a local stand-in
 * (ElasticMQ, dynalite) with placeholder credentials, few attempts, and keep-alive sockets.
 *
 * No connectionTimeout: the SDK starts that timer while a request still waits for a free socket, so a
 * burst of calls in one process (serverless offline runs every handler in one process) "timed out"
 * against a healthy server. Requests wait for a socket instead (back-pressure), and each call is
 * bounded as a whole by `requestTimeoutMs`.
 */
export function awsClientOptions(
  config: Pick<Config, 'region' | 'useLocalCredentials'>,
  endpoint: string | undefined,
  { requestTimeoutMs, maxAttempts }: { requestTimeoutMs: number; maxAttempts: number },
) {
  return {
    region: config.region,
    endpoint,
    credentials: config.useLocalCredentials ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts,
    requestHandler: {
      httpAgent: { keepAlive: true, maxSockets: 256 },
      httpsAgent: { keepAlive: true, maxSockets: 256 },
      requestTimeout: requestTimeoutMs,
    },
  };
}
