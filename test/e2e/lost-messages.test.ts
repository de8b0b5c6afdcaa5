import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueUrlCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lib/config';
import type { LocalStack } from '../../lib/local/local-stack';
import { createSqsClient } from '../../lib/queue/sqs-client';
import { sampleTaskProcesses } from '../../lib/process/task-processes';
import { checkedFetch } from '../helpers/openapi-check';
import { startPrivateStack } from '../helpers/private-stack';

/**
 * A broker that loses messages (here: the jobs queue purged under load) leaves no job stranded: the
 * stack finds the jobs that wait with no message and sends them again; each still runs once.
 */
describe('the jobs queue loses its messages under load', () => {
  let stack: LocalStack;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ stack, stop } = await startPrivateStack({
      env: { JOB_STORE: 'sqlite' },
      // Looked for every 2 s instead of every minute, so the test takes seconds.
      reconcileIntervalMs: 2000,
      reconcileGraceMs: 2000,
    }));
  }, 180_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  it('ends every job after a purge of the queue, each run once, never more than 4 at once', async () => {
    const sampler = sampleTaskProcesses(20, stack.taskWorkDir);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const response = await checkedFetch(`${stack.httpUrl}/api/tasks/sleep`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: { seconds: 1 } }),
      });
      ids.push(((await response.json()) as { jobId: string }).jobId);
    }
    const sqs = createSqsClient(loadConfig({ SQS_ENDPOINT: stack.sqsEndpoint }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    sqs.destroy();

    const deadline = Date.now() + 90_000;
    let jobs: Array<{ status: string; attempts: number }>;
    do {
      await sleep(500);
      jobs = await Promise.all(
        ids.map(
          async (id) => (await (await checkedFetch(`${stack.httpUrl}/api/jobs/${id}`)).json()) as never,
        ),
      );
    } while (jobs.some((job) => job.status !== 'succeeded') && Date.now() < deadline);
    expect(jobs.map((job) => job.status)).toEqual(ids.map(() => 'succeeded'));
    expect(jobs.map((job) => job.attempts)).toEqual(ids.map(() => 1));
    expect((await sampler.stop()).most).toBeLessThanOrEqual(4);
  }, 120_000);
});
