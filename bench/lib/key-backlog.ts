import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { loadConfig } from '../../lib/config';
import { createMessageConsumer } from '../../lib/consumer/message-consumer';
import { newJobId } from '../../lib/jobs/job-id';
import { submitJob } from '../../lib/jobs/job-lifecycle';
import type { JobRecord } from '../../lib/jobs/job-record';
import { createEventSourceMapping } from '../../lib/local/event-source-mapping';
import { createLogger } from '../../lib/logger';
import { createJobQueue } from '../../lib/queue/job-queue';
import type { JobQueue } from '../../lib/queue/job-queue';
import { createSqsClient } from '../../lib/queue/sqs-client';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';
import { createCatalogue } from '../../lib/tasks/catalogue';
import type { TaskDefinition } from '../../lib/tasks/catalogue';

/**
 * What concurrency keys cost under a backlog of one key (1,000 jobs): the consumer and the event
 * source in this process, against the stack's real ElasticMQ, a fresh SQLite store and real
 * processes (`true`, which takes ~2 ms, so the figures are the queue's and the store's, not the
 * task's). Each load counts the deliveries (messages handed to the consumer) and the holds
 * (messages that came back later: a key's turn not come) per job, and the elapsed time.
 */
const TASKS: Record<string, TaskDefinition> = {
  noop: {
    description: 'Does nothing.',
    command: 'true',
    input: { type: 'object' },
    timeoutSeconds: 10,
    maxOutputBytes: 1024,
  },
  'noop-per-key': {
    description: 'Does nothing; one job of a key at once.',
    command: 'true',
    input: { type: 'object' },
    timeoutSeconds: 10,
    maxOutputBytes: 1024,
    concurrency: { perKey: 1 },
  } as TaskDefinition,
};

interface Load {
  name: string;
  jobs: Array<{ task: string; concurrencyKey?: string }>;
  /** Jobs of another key submitted once the backlog is queued: how long they wait. */
  late?: Array<{ task: string; concurrencyKey?: string }>;
}

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

export const KEY_LOADS = (n: number): Load[] => [
  { name: `${n} jobs, no key`, jobs: times(n, () => ({ task: 'noop' })) },
  {
    name: `${n} jobs of one key (fair share only)`,
    jobs: times(n, () => ({ task: 'noop', concurrencyKey: 'a' })),
  },
  {
    name: `${n} jobs of one key, perKey 1`,
    jobs: times(n, () => ({ task: 'noop-per-key', concurrencyKey: 'a' })),
    late: times(4, (i) => ({ task: 'noop', concurrencyKey: `late-${i}` })),
  },
];

async function runLoad(endpoint: string, load: Load) {
  const config = loadConfig({ SQS_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' });
  const sqs = createSqsClient(config);
  const name = `bench-keys-${randomUUID().slice(0, 8)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spawn-queue-bench-keys-'));
  const store = createSqliteJobStore({ dir });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '60',
        RedrivePolicy: JSON.stringify({
          maxReceiveCount: 10,
          deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${name}-dlq`,
        }),
      },
    }),
  );
  const queueUrl = created.QueueUrl!;
  const queue: JobQueue = createJobQueue({
    sqs,
    queueUrl,
    queueName: name,
    deadLetterQueueUrl: dlq.QueueUrl!,
    deadLetterQueueName: `${name}-dlq`,
  });
  let deliveries = 0;
  let holds = 0;
  const consumer = createMessageConsumer({
    store,
    catalogue: createCatalogue(TASKS),
    logger: createLogger({ name: 'bench-keys', level: 'warn' }),
    maxReceiveCount: 10,
    queue,
    leaseMs: 30_000,
  });
  const mapping = createEventSourceMapping({
    sqs,
    queueUrl,
    queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    region: 'us-east-1',
    batchSize: 1,
    maximumBatchingWindow: 0,
    concurrency: 4,
    reportBatchItemFailures: true,
    lookAhead: 4,
    waitTimeSeconds: 1,
    logger: createLogger({ name: 'bench-keys-mapping', level: 'warn' }),
    invoke: async (event) => {
      const failures = [];
      for (const record of event.Records as SQSRecord[]) {
        deliveries += 1;
        const outcome = await consumer.handleMessage(record);
        if (outcome === 'retry') {
          holds += 1;
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    },
  });
  const submit = async (job: { task: string; concurrencyKey?: string }) => {
    const record: JobRecord = {
      id: newJobId(),
      task: job.task,
      input: {},
      status: 'queued',
      attempts: 0,
      queuedAt: new Date().toISOString(),
      ...(job.concurrencyKey ? { concurrencyKey: job.concurrencyKey } : {}),
    };
    await submitJob({ store, queue }, record);
    return record.id;
  };
  try {
    const ids: string[] = [];
    for (let i = 0; i < load.jobs.length; i += 50) {
      ids.push(...(await Promise.all(load.jobs.slice(i, i + 50).map(submit))));
    }
    const started = Date.now();
    mapping.start();
    // The late jobs come once the backlog runs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lateIds = await Promise.all((load.late ?? []).map(submit));
    const all = [...ids, ...lateIds];
    for (;;) {
      const counts = await store.countByStatus();
      if (counts.succeeded + counts.failed >= all.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elapsedS = (Date.now() - started) / 1000;
    const lateWaits = await Promise.all(
      lateIds.map(async (id) => {
        const job = await store.get(id);
        return (job?.waitMs ?? 0) / 1000;
      }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlq.QueueUrl!,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return {
      load: load.name,
      elapsedS: Math.round(elapsedS * 100) / 100,
      jobsPerS: Math.round(all.length / elapsedS),
      deliveriesPerJob: Math.round((deliveries / all.length) * 100) / 100,
      holdsPerJob: Math.round((holds / all.length) * 100) / 100,
      otherKeysWaitS: lateWaits.length ? Math.max(...lateWaits).toFixed(2) : '-',
      deadLettered: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    };
  } finally {
    await mapping.stop({ drain: false, graceful: false });
    await store.close();
    await rm(dir, { recursive: true, force: true });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl! })).catch(() => undefined);
    sqs.destroy();
  }
}

/** Each load in turn; a row per load. */
export async function keyBacklogCost(endpoint: string, jobs = 1000) {
  const rows = [];
  for (const load of KEY_LOADS(jobs)) {
    const row = await runLoad(endpoint, load);
    console.log(
      `  ${row.load}: ${row.elapsedS} s (${row.jobsPerS} jobs/s), ${row.deliveriesPerJob} deliveries and ${row.holdsPerJob} holds per job, other keys waited ${row.otherKeysWaitS} s, ${row.deadLettered} dead-lettered`,
    );
    rows.push(row);
  }
  return rows;
}
