import { readFile } from 'node:fs/promises';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createRunJobsHandler } from '../../lib/consumer/run-jobs-handler';
import type { EventSourceMapping } from '../../lib/local/event-source-mapping';
import { createProcessSpawner } from '../../lib/process/process-spawner';
import type { ProcessSpawner } from '../../lib/process/process-spawner';
import type { RunOptions } from '../../lib/process/run-process';
import type { JobStore } from '../../lib/jobs/job-store';
import { createCatalogue } from '../../lib/tasks/catalogue';
import { createTestQueues, eventually, testJobQueue, testMapping, testSqs } from '../helpers/elasticmq';
import { context } from '../helpers/events';
import { STORE_KINDS, testStore } from '../helpers/job-stores';
import { silentLogger } from '../helpers/services';

const sqs = testSqs();

/** The parent pid of a process, from /proc. */
async function parentOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fault: the process that starts tasks (the parent of every running task) is killed with SIGKILL
 * while 3 jobs run. Each interrupted job is recorded and runs again within seconds (the retry
 * policy's first pause, 2 s), not after the queue's visibility timeout; each ends with one final
 * status; nothing else is lost.
 */
describe.each(STORE_KINDS)('the process spawner killed with tasks running (%s store)', (kind) => {
  let store: JobStore;
  let cleanup: () => Promise<void>;
  let mapping: EventSourceMapping | undefined;
  let spawner: ProcessSpawner | undefined;

  beforeEach(async () => {
    ({ store, cleanup } = await testStore(kind));
  });
  afterEach(async () => {
    await mapping?.stop({ drain: false, graceful: false });
    spawner?.close();
    await cleanup();
  });

  it('records each interrupted job, runs it again within seconds, and it ends succeeded', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeout: 3960, maxReceiveCount: 10 });
    spawner = createProcessSpawner();
    const taskPids: number[] = [];
    const run = (options: RunOptions) => spawner!.run({ ...options, onSpawn: (pid) => taskPids.push(pid) });
    const consumer = createRunJobsHandler({
      store,
      catalogue: createCatalogue(),
      logger: silentLogger,
      maxReceiveCount: 10,
      queue: testJobQueue(sqs, queues),
      run,
    });
    mapping = testMapping(sqs, queues, (event: SQSEvent) => consumer(event, context));
    mapping.start();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.url,
        Entries: [0, 1, 2].map((i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ task: 'sleep', input: { seconds: 1.5 } }),
        })),
      }),
    );
    const running = await eventually(
      async () => (await store.list({ status: 'running', limit: 10 })).jobs,
      (jobs) => jobs.length === 3 && taskPids.length === 3,
    );
    expect(running).toHaveLength(3);
    const spawnerPid = await parentOf(taskPids[0]!);
    expect(await Promise.all(taskPids.map(parentOf))).toEqual([spawnerPid, spawnerPid, spawnerPid]);

    const killedAt = Date.now();
    process.kill(spawnerPid, 'SIGKILL');

    // Recorded at once: back in the queue with the reason and the time of the next attempt.
    const waiting = await eventually(
      async () => (await store.list({ status: 'queued', limit: 10 })).jobs,
      (jobs) => jobs.length === 3,
    );
    for (const job of waiting) {
      expect(job.error).toMatch(/the process spawner exited \(SIGKILL\) while a task ran/);
      expect(Date.parse(job.nextAttemptAt!) - killedAt).toBeLessThan(5000);
      expect(job.attemptHistory).toEqual([expect.objectContaining({ attempt: 1, error: job.error })]);
    }
    // Its tasks did not outlive it.
    await eventually(
      async () => taskPids.slice(0, 3).filter(alive),
      (left) => left.length === 0,
      5000,
    );
    expect(taskPids.slice(0, 3).filter(alive)).toEqual([]);

    // Run again by a new spawner within seconds, and each ends with one final status.
    const done = await eventually(
      async () => (await store.list({ status: 'succeeded', limit: 10 })).jobs,
      (jobs) => jobs.length === 3,
      20_000,
    );
    expect(done).toHaveLength(3);
    const recoveredMs = Math.max(...done.map((job) => Date.parse(job.finishedAt!))) - killedAt;
    expect(recoveredMs).toBeLessThan(15_000);
    for (const job of done) {
      expect(job.attempts).toBe(2);
      expect(job.attemptHistory?.map((a) => [a.attempt, a.exitCode])).toEqual([
        [1, null],
        [2, 0],
      ]);
    }
    // DynamoDB's final counts are a counter added to just after each finish: read them once settled.
    const counts = await eventually(
      () => store.countByStatus(),
      (c) => c.succeeded === 3,
      5000,
    );
    expect(counts).toMatchObject({ running: 0, queued: 0, succeeded: 3 });
  });
});
