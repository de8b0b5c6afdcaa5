import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import { loadConfig } from '../../lib/config';
import { createFileJobStore } from '../../lib/store/file-job-store';
import { createLogger } from '../../lib/logger';
import { createBacklogLimit } from '../../lib/queue/backlog-limit';
import { createJobQueue } from '../../lib/queue/job-queue';
import type { Services } from '../../lib/services';
import { createCatalogue } from '../../lib/tasks/catalogue';

export const silentLogger = createLogger({ level: 'silent' });

/** A temp directory removed by the returned cleanup. */
export async function tempDir(
  prefix = 'spawn-queue-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Services for unit tests: a real job store in a temp dir, the real catalogue, and an SQS client
 * whose `send` is a mock (the one place unit tests mock: the AWS client's send).
 */
export async function unitServices() {
  const { dir, cleanup } = await tempDir();
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const send = jest.fn(async (_command: unknown): Promise<unknown> => ({}));
  sqs.send = send as unknown as SQSClient['send'];
  const config = loadConfig({ JOB_STORE_DIR: dir, MAX_BODY_BYTES: '2048' });
  const services: Services = {
    config,
    logger: silentLogger,
    store: createFileJobStore({ dir }),
    queue: createJobQueue({
      sqs,
      queueUrl: 'http://localhost:9324/000000000000/jobs',
      queueName: 'jobs',
      deadLetterQueueUrl: 'http://localhost:9324/000000000000/jobs-dead-letters',
      deadLetterQueueName: 'jobs-dead-letters',
    }),
    catalogue: createCatalogue(),
    // An empty queue, so the send calls a test sees are its own; the limit has tests of its own.
    backlog: createBacklogLimit({
      depth: async () => ({ visible: 0, inFlight: 0, delayed: 0, deadLetter: 0 }),
      maxQueuedJobs: config.maxQueuedJobs,
    }),
  };
  return { services, send, cleanup };
}
