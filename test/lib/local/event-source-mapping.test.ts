import { copyFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createRunJobsHandler } from '../../../lib/consumer/run-jobs-handler';
import { createSqliteJobStore } from '../../../lib/store/sqlite-job-store';
import type { JobStore } from '../../../lib/jobs/job-store';
import { failedIds } from '../../../lib/local/event-source-mapping';
import type { EventSourceMapping, EventSourceMappingOptions } from '../../../lib/local/event-source-mapping';
import { createCatalogue } from '../../../lib/tasks/catalogue';
import type { Catalogue } from '../../../lib/tasks/catalogue';
import { createTestQueues, eventually, testJobQueue, testMapping, testSqs } from '../../helpers/elasticmq';
import type { TestQueues } from '../../helpers/elasticmq';
import { context, sqsRecord } from '../../helpers/events';
import { silentLogger, tempDir } from '../../helpers/services';

const sqs = testSqs();

describe('failedIds (how Lambda reads a batch response)', () => {
  const records = [sqsRecord(), sqsRecord()];
  const [a, b] = records.map((r) => r.messageId) as [string, string];

  it('keeps only the reported records', () => {
    expect(failedIds(records, { batchItemFailures: [{ itemIdentifier: b }] }, true)).toEqual(new Set([b]));
  });
  it('treats an empty or missing list as full success', () => {
    expect(failedIds(records, { batchItemFailures: [] }, true)).toEqual(new Set());
    expect(failedIds(records, undefined, true)).toEqual(new Set());
  });
  it('fails the whole batch for an unknown id or a malformed response', () => {
    expect(failedIds(records, { batchItemFailures: [{ itemIdentifier: 'other' }] }, true)).toEqual(
      new Set([a, b]),
    );
    expect(failedIds(records, { batchItemFailures: 'x' }, true)).toEqual(new Set([a, b]));
  });
  it('ignores the response without ReportBatchItemFailures', () => {
    expect(failedIds(records, { batchItemFailures: [{ itemIdentifier: b }] }, false)).toEqual(new Set());
  });
});

describe('event source mapping on the real ElasticMQ', () => {
  let store: JobStore;
  let cleanup: () => Promise<void>;
  let queues: TestQueues;
  let mapping: EventSourceMapping | undefined;

  beforeEach(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    store = createSqliteJobStore({ dir: temp.dir });
  });
  afterEach(async () => {
    await mapping?.stop();
    mapping = undefined;
    await cleanup();
  });

  /** The consumer invoked in-process, as the Lambda Invoke API would; `seen` records each delivery. */
  function start(options: Partial<EventSourceMappingOptions> & { catalogue?: Catalogue } = {}) {
    const seen: Array<{ messageId: string; receiveCount: number }> = [];
    const consumer = createRunJobsHandler({
      store,
      catalogue: options.catalogue ?? createCatalogue(),
      logger: silentLogger,
      maxReceiveCount: 3,
      // Retries wait out their backoff in the queue, as deployed.
      queue: testJobQueue(sqs, queues),
    });
    mapping = testMapping(
      sqs,
      queues,
      async (event: SQSEvent) => {
        for (const r of event.Records)
          seen.push({ messageId: r.messageId, receiveCount: Number(r.attributes.ApproximateReceiveCount) });
        return consumer(event, context);
      },
      options,
    );
    mapping.start();
    return seen;
  }

  async function send(body: unknown): Promise<{ messageId: string }> {
    const out = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
    return { messageId: out.MessageId! };
  }

  it('runs messages injected straight into the queue and deletes them', async () => {
    queues = await createTestQueues(sqs);
    start();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.url,
        Entries: [0, 1, 2, 3, 4, 5].map((i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ task: 'echo', input: { text: `m${i}` } }),
        })),
      }),
    );
    const jobs = await eventually(
      async () => (await store.list({ status: 'succeeded', limit: 10 })).jobs,
      (list) => list.length === 6,
    );
    expect(jobs.map((j) => j.output?.stdout).sort()).toEqual([
      'm0\n',
      'm1\n',
      'm2\n',
      'm3\n',
      'm4\n',
      'm5\n',
    ]);
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.url, WaitTimeSeconds: 0 }));
    expect(left.Messages ?? []).toHaveLength(0);
  });

  it('redelivers only the record of a batch that failed', async () => {
    queues = await createTestQueues(sqs, { visibilityTimeout: 1 });
    const good1 = await send({ task: 'echo', input: { text: 'a' } });
    const bad = await send('this is not JSON');
    const good2 = await send({ task: 'echo', input: { text: 'b' } });
    const seen = start({ batchSize: 3, maximumBatchingWindow: 1, concurrency: 1 });

    const deliveries = await eventually(
      async () => seen.filter((s) => s.messageId === bad.messageId).length,
      (n) => n >= 2,
    );
    expect(deliveries).toBeGreaterThanOrEqual(2);
    expect(seen.filter((s) => s.messageId === good1.messageId)).toHaveLength(1);
    expect(seen.filter((s) => s.messageId === good2.messageId)).toHaveLength(1);
    expect(seen.find((s) => s.messageId === bad.messageId && s.receiveCount === 2)).toBeDefined();
    const succeeded = (await store.list({ status: 'succeeded' })).jobs;
    expect(succeeded.map((j) => j.output?.stdout).sort()).toEqual(['a\n', 'b\n']);
  });

  it('moves a poison job to the DLQ after 3 receives, and its record says so', async () => {
    queues = await createTestQueues(sqs, { visibilityTimeout: 1, maxReceiveCount: 3 });
    // A task whose program disappears after the catalogue loaded: every attempt fails to start.
    const { dir, cleanup: removeDir } = await tempDir('spawn-queue-poison-');
    const program = path.join(dir, 'vanishing');
    await copyFile('/bin/true', program);
    const catalogue = createCatalogue({
      vanishing: {
        description: 'gone',
        command: program,
        input: { type: 'object' },
        timeoutSeconds: 5,
        maxOutputBytes: 100,
      },
    });
    await unlink(program);
    await removeDir();

    const poison = await send({ task: 'vanishing', input: {} });
    const seen = start({ catalogue });
    const inDeadLetters = await eventually(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queues.deadLetterUrl,
              WaitTimeSeconds: 1,
              VisibilityTimeout: 0,
            }),
          )
        ).Messages ?? [],
      (messages) => messages.length === 1,
      20_000,
    );
    expect(inDeadLetters[0]?.MessageId).toBe(poison.messageId);
    expect(seen.map((s) => s.receiveCount)).toEqual([1, 2, 3]);
    const [job] = (await store.list({ limit: 1 })).jobs;
    expect(job).toMatchObject({ status: 'failed', attempts: 3 });
    expect(job?.error).toMatch(/gave up after 3 deliveries .*dead-letter queue/);
    // Each attempt waited out the retry policy's pause (exponential from 2 s, jittered).
    const starts = job!.attemptHistory!.map((a) => Date.parse(a.startedAt!));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(900);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(1900);
  });

  it('never has more invocations in flight than its concurrency', async () => {
    queues = await createTestQueues(sqs);
    let inFlight = 0;
    let most = 0;
    const consumer = createRunJobsHandler({
      store,
      catalogue: createCatalogue(),
      logger: silentLogger,
      maxReceiveCount: 3,
    });
    start({
      concurrency: 2,
      invoke: async (event) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return await consumer(event, context);
        } finally {
          inFlight -= 1;
        }
      },
    });
    for (let i = 0; i < 8; i += 1) await send({ task: 'sleep', input: { seconds: 0.2 } });
    await eventually(
      async () => (await store.list({ status: 'succeeded', limit: 10 })).jobs.length,
      (n) => n === 8,
    );
    expect(most).toBe(2);
  });

  it('refills its look-ahead with one receive per two finished batches, not one per batch', async () => {
    queues = await createTestQueues(sqs);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `{"n":${i}}` })),
      }),
    );
    const sends = jest.spyOn(sqs, 'send');
    const receives = () =>
      sends.mock.calls.filter(([command]) => command instanceof ReceiveMessageCommand).length;
    // Each invocation runs until the test lets it finish.
    const running: Array<() => void> = [];
    let done = false;
    start({
      lookAhead: 4,
      invoke: async () => {
        if (!done) await new Promise<void>((resolve) => running.push(resolve));
        return { batchItemFailures: [] };
      },
    });
    const inFlight = async () => {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queues.url,
          AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
    };
    const finishOne = async () => {
      const started = running.length;
      running.shift()!();
      // The held batch takes the freed slot; then let the mapping's loop decide about a receive.
      await eventually(
        async () => running.length,
        (n) => n === started,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      // 4 slots busy and 4 batches held: 8 messages received, nothing more to receive for.
      await eventually(
        async () => [running.length, await inFlight()],
        ([slots, received]) => slots === 4 && received === 8,
      );
      const before = receives();
      await finishOne();
      expect(receives()).toBe(before); // one held batch gone: no receive for it alone
      await finishOne();
      expect(receives()).toBe(before + 1); // half the look-ahead gone: one receive refills it
    } finally {
      sends.mockRestore();
      done = true;
      for (const finish of running) finish();
    }
  });

  it('deletes the messages of invocations that end within its window with one DeleteMessageBatch call', async () => {
    queues = await createTestQueues(sqs);
    const sends = jest.spyOn(sqs, 'send');
    const deletes = () =>
      sends.mock.calls
        .map(([command]) => command)
        .filter((command) => command instanceof DeleteMessageBatchCommand)
        .map((command) => (command as DeleteMessageBatchCommand).input.Entries?.length);
    try {
      let invoked = 0;
      start({
        deleteWindowMs: 1000,
        invoke: async () => {
          invoked += 1;
          return { batchItemFailures: [] };
        },
      });
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.url,
          Entries: Array.from({ length: 6 }, (_, i) => ({ Id: String(i), MessageBody: `{"n":${i}}` })),
        }),
      );
      await eventually(
        async () => invoked,
        (n) => n === 6,
      );
      expect(deletes()).toEqual([]); // the window is still open
      await eventually(
        async () => deletes(),
        (calls) => calls.length > 0,
      );
      expect(deletes()).toEqual([6]);
    } finally {
      sends.mockRestore();
    }
  });

  it('keeps polling through receive errors, with a log line, and recovers', async () => {
    queues = await createTestQueues(sqs);
    const lines: string[] = [];
    const logger = {
      warn: (_: object, msg: string) => void lines.push(msg),
      info: (_: object, msg: string) => void lines.push(msg),
      error: () => undefined,
    };
    // Point it at a queue that does not exist yet, then create it.
    const missingName = `${queues.name}-later`;
    const url = queues.url.replace(queues.name, missingName);
    start({ queueUrl: url, logger, minBackoffMs: 100, maxBackoffMs: 200 });
    await eventually(
      async () => lines.length,
      (n) => n > 0,
    );
    expect(lines[0]).toMatch(/cannot receive from the queue .*retrying in \d+ ms/);
    await sqs.send(new CreateQueueCommand({ QueueName: missingName }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ task: 'echo', input: { text: 'late' } }),
      }),
    );
    const jobs = await eventually(
      async () => (await store.list({ status: 'succeeded' })).jobs,
      (list) => list.length === 1,
    );
    expect(jobs[0]?.output?.stdout).toBe('late\n');
    expect(lines).toContain('receiving from the queue again');
  });

  it('a graceful stop hands back what its last receives got, so no message waits out a visibility timeout', async () => {
    queues = await createTestQueues(sqs, { visibilityTimeout: 600 });
    const seen = start({ waitTimeSeconds: 2 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // its receivers are now long-polling
    const stopping = mapping!.stop();
    mapping = undefined;
    const sent = await send({ task: 'echo', input: { text: 'after stop' } });
    await stopping;
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.url, WaitTimeSeconds: 2 }));
    expect(received.Messages?.map((m) => m.MessageId)).toEqual([sent.messageId]);
    expect(seen).toEqual([]);
  });
});
