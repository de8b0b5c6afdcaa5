import { SQSClient } from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import { hashApiToken } from '../../lib/auth/api-tokens';
import { createAuthenticator } from '../../lib/auth/authenticator';
import { staticTokenSource } from '../../lib/auth/token-source';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createBacklogLimit } from '../../lib/queue/backlog-limit';
import { createCallbackQueue } from '../../lib/queue/callback-queue';
import { createJobQueue } from '../../lib/queue/job-queue';
import type { Services } from '../../lib/services';
import { createCatalogue } from '../../lib/tasks/catalogue';
import { createScheduleStore } from '../../lib/store/create-job-store';

export { tempDir } from './temp-dir';
import { testStore } from './job-stores';
import type { StoreKind } from './job-stores';

/** No token configured: every request passes (the local stack without tokens). */
export const openAccess = createAuthenticator(undefined);

export const silentLogger = createLogger({ level: 'silent' });

/**
 * Services for unit tests: a real job store (files in a temp dir, or a fresh dynalite table), the
 * real catalogue, and an SQS client whose `send` is a mock (the one place unit tests mock: the AWS
 * client's send).
 */
export async function unitServices({
  store: kind = 'sqlite',
  auth,
  env: extraEnv = {},
}: { store?: StoreKind; auth?: { token: string }; env?: Record<string, string> } = {}) {
  const { store, env, open: openStore, cleanup } = await testStore(kind);
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const send = jest.fn(async (_command: unknown): Promise<unknown> => ({}));
  sqs.send = send as unknown as SQSClient['send'];
  const config = loadConfig({ ...env, MAX_BODY_BYTES: '2048', ...extraEnv });
  const services: Services = {
    config,
    logger: silentLogger,
    store,
    schedules: createScheduleStore(config),
    queue: createJobQueue({
      sqs,
      queueUrl: 'http://localhost:9324/000000000000/jobs',
      queueName: 'jobs',
      deadLetterQueueUrl: 'http://localhost:9324/000000000000/jobs-dead-letters',
      deadLetterQueueName: 'jobs-dead-letters',
    }),
    callbacks: createCallbackQueue({
      sqs,
      queueUrl: 'http://localhost:9324/000000000000/callbacks',
      queueName: 'callbacks',
    }),
    catalogue: createCatalogue(),
    // An empty queue, so the send calls a test sees are its own; the limit has tests of its own.
    backlog: createBacklogLimit({
      depth: async () => ({ visible: 0, inFlight: 0, delayed: 0, deadLetter: 0 }),
      maxQueuedJobs: config.maxQueuedJobs,
    }),
    auth: createAuthenticator(auth ? staticTokenSource([hashApiToken(auth.token)]) : undefined),
  };
  return {
    services,
    send,
    openStore,
    cleanup: async () => {
      await services.schedules.close();
      await cleanup();
    },
  };
}

/**
 * The jobs queue over an SQS client whose `send` is a mock: what the consumer asks of SQS (its
 * ChangeMessageVisibility calls) is read from `send`'s calls.
 */
export function recordingQueue() {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const send = jest.fn(async (_command: unknown): Promise<unknown> => ({}));
  sqs.send = send as unknown as SQSClient['send'];
  const queue = createJobQueue({
    sqs,
    queueUrl: 'http://localhost:9324/000000000000/jobs',
    queueName: 'jobs',
    deadLetterQueueUrl: 'http://localhost:9324/000000000000/jobs-dead-letters',
    deadLetterQueueName: 'jobs-dead-letters',
  });
  /** The visibility timeouts set, in order. */
  const visibilities = () =>
    send.mock.calls
      .map(([command]) => command as { constructor: { name: string }; input: Record<string, unknown> })
      .filter((command) => command.constructor.name === 'ChangeMessageVisibilityCommand')
      .map((command) => command.input.VisibilityTimeout as number);
  return { queue, send, visibilities };
}
