import { setTimeout as sleep } from 'node:timers/promises';
import shippedTasks from '../../../config/tasks.json';
import { createRunJobsHandler } from '../../../lib/consumer/run-jobs-handler';
import { jobIdForMessage, newJobId } from '../../../lib/jobs/job-id';
import { cancelJob } from '../../../lib/jobs/job-lifecycle';
import type { JobRecord } from '../../../lib/jobs/job-record';
import type { JobStore } from '../../../lib/jobs/job-store';
import { StoreUnavailableError } from '../../../lib/store/store-errors';
import { SpawnError } from '../../../lib/process/process-errors';
import { runProcess } from '../../../lib/process/run-process';
import type { RunOptions } from '../../../lib/process/run-process';
import { createCatalogue } from '../../../lib/tasks/catalogue';
import type { TaskDefinition } from '../../../lib/tasks/catalogue';
import { context, sqsEvent, sqsRecord } from '../../helpers/events';
import { STORE_KINDS, testStore } from '../../helpers/job-stores';
import { recordingQueue, silentLogger } from '../../helpers/services';
import type { ConsumerOptions } from '../../../lib/consumer/message-consumer';

describe.each(STORE_KINDS)('consumer (SQS handler, %s store)', (kind) => {
  let store: JobStore;
  let cleanup: () => Promise<void>;
  const catalogue = createCatalogue();

  beforeEach(async () => {
    ({ store, cleanup } = await testStore(kind));
  });
  afterEach(async () => {
    await cleanup();
  });

  function consumer(overrides: Partial<ConsumerOptions> = {}) {
    return createRunJobsHandler({
      store,
      catalogue,
      logger: silentLogger,
      maxReceiveCount: 3,
      cancelPollMs: 20,
      ...overrides,
    });
  }

  /** A completion callback as a submit that asks for one writes it. */
  const pendingCallback = (): NonNullable<JobRecord['callback']> => ({
    url: 'http://127.0.0.1:9/hook',
    status: 'pending',
    attempts: 0,
    lastError: null,
  });

  async function submitted(
    task: string,
    input: Record<string, unknown>,
    fields: Partial<JobRecord> = {},
  ): Promise<JobRecord> {
    const job: JobRecord = {
      id: newJobId(),
      task,
      input,
      status: 'queued',
      attempts: 0,
      queuedAt: new Date().toISOString(),
      ...fields,
    };
    await store.create(job);
    return job;
  }

  it('runs a submitted job and records its result', async () => {
    const job = await submitted('sha256', { text: 'abc' });
    const result = await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'sha256', input: { text: 'abc' }, jobId: job.id } })),
      context,
    );
    expect(result).toEqual({ batchItemFailures: [] });
    await expect(store.get(job.id)).resolves.toMatchObject({
      status: 'succeeded',
      attempts: 1,
      exitCode: 0,
      output: {
        stdout: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n',
        truncated: false,
      },
    });
  });

  it('records what the job used, and its limits with how they held', async () => {
    const job = await submitted('echo', { text: 'measured' });
    await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'echo', input: { text: 'measured' }, jobId: job.id } })),
      context,
    );
    const record = await store.get(job.id);
    expect(record).toMatchObject({
      status: 'succeeded',
      usage: {
        cpuMs: expect.any(Number),
        peakMemoryBytes: expect.any(Number),
        processes: expect.any(Number),
        scope: expect.stringMatching(/^(job|process)$/),
      },
      limits: {
        memoryMb: 64,
        cpuSeconds: 10,
        processes: 4,
        held: { memoryMb: expect.any(String), cpuSeconds: expect.any(String), processes: expect.any(String) },
      },
    });
  });

  it('ends a job over its memory limit as failed, with an error that says memory', async () => {
    const hungry = createCatalogue({
      hog: {
        description: 'allocates 150 MB',
        command: 'python3',
        args: ['-c', 'x = bytearray(150 * 1024 * 1024); print("allocated")'],
        input: { type: 'object' },
        timeoutSeconds: 10,
        maxOutputBytes: 100,
        limits: { memoryMb: 64 },
      },
    });
    const job = await submitted('hog', {});
    await consumer({ catalogue: hungry })(
      sqsEvent(sqsRecord({ body: { task: 'hog', input: {}, jobId: job.id } })),
      context,
    );
    const record = await store.get(job.id);
    expect(record).toMatchObject({ status: 'failed', output: { stdout: '' } });
    // Under a cgroup the kernel ends the job (the error says memory and the figure); with rlimits the
    // allocation fails inside the task, which exits with its own error.
    const underCgroup = record!.limits!.held.memoryMb === 'job';
    expect(underCgroup ? record!.error : 'memory limit exceeded: 64 MB').toMatch(
      /^memory limit exceeded: .*64 MB/,
    );
  });

  it('never runs a job whose next attempt a cancel claimed, even before the cancel wrote its status', async () => {
    const job = await submitted('sleep', { seconds: 5 });
    const message = () => sqsEvent(sqsRecord({ body: { task: 'sleep', input: job.input, jobId: job.id } }));
    // The cancel request claimed the attempt and has not written `cancelled` yet (or died there).
    const now = Date.now();
    await store.claim(job.id, 1, {
      owner: 'cancel:elsewhere',
      kind: 'cancel',
      claimedAt: new Date(now).toISOString(),
      leaseUntil: new Date(now + 10_000).toISOString(),
    });
    const held = await consumer({ queue: recordingQueue().queue })(message(), context);
    expect(held.batchItemFailures).toHaveLength(1);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'queued', attempts: 0 });
    // Its request stopped there: once the claim's lease is over, the delivery records the cancel.
    await store.updateClaim(job.id, 1, { leaseUntil: new Date(now - 1).toISOString() });
    expect((await consumer()(message(), context)).batchItemFailures).toEqual([]);
    const record = await store.get(job.id);
    expect(record).toMatchObject({ status: 'cancelled', error: 'cancelled before it started' });
    expect(record!.startedAt).toBeUndefined();
  });

  it('records a non-zero exit as failed, without a retry', async () => {
    const job = await submitted('fail', { code: 7 });
    const result = await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'fail', input: { code: 7 }, jobId: job.id } })),
      context,
    );
    expect(result.batchItemFailures).toEqual([]);
    await expect(store.get(job.id)).resolves.toMatchObject({
      status: 'failed',
      exitCode: 7,
      output: { stderr: 'failing on purpose\n' },
    });
  });

  it("reads a fresh job's record once: its claim makes the runner's copy the current one", async () => {
    const job = await submitted('echo', { text: 'one read' });
    const gets = jest.spyOn(store, 'get');
    const transitions = jest.spyOn(store, 'transition');
    await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'echo', input: { text: 'one read' }, jobId: job.id } })),
      context,
    );
    expect(gets).toHaveBeenCalledTimes(1);
    // Each transition is built on the record it replaces, so the store does not read it either.
    expect(transitions.mock.calls.map(([, to, , options]) => [to, options?.from?.status])).toEqual([
      ['running', 'queued'],
      ['succeeded', 'running'],
    ]);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('does nothing for a job that already finished (a duplicate delivery)', async () => {
    const job = await submitted('echo', { text: 'once' });
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'once' }, jobId: job.id } });
    await consumer()(sqsEvent(record), context);
    const first = await store.get(job.id);
    const result = await consumer()(
      sqsEvent({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }),
      context,
    );
    expect(result.batchItemFailures).toEqual([]);
    await expect(store.get(job.id)).resolves.toEqual(first);
  });

  it('never starts a job that was cancelled while queued', async () => {
    const job = await submitted('echo', { text: 'no' });
    await store.claim(job.id, 1, { owner: 'cancel', kind: 'cancel', claimedAt: '', leaseUntil: '' });
    await store.transition(job.id, 'cancelled');
    const result = await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'echo', input: { text: 'no' }, jobId: job.id } })),
      context,
    );
    expect(result.batchItemFailures).toEqual([]);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'cancelled', attempts: 0 });
  });

  it('runs a message delivered twice at once exactly once (two workers, one claim)', async () => {
    const job = await submitted('sleep', { seconds: 0.3 });
    const body = { task: 'sleep', input: { seconds: 0.3 }, jobId: job.id };
    const runs: string[] = [];
    const counting = (name: string) =>
      createRunJobsHandler({
        store,
        catalogue,
        logger: silentLogger,
        maxReceiveCount: 3,
        cancelPollMs: 20,
        run: async (options) => {
          runs.push(name);
          return runProcess(options);
        },
      });
    const [a, b] = await Promise.all([
      counting('a')(sqsEvent(sqsRecord({ body })), context),
      counting('b')(sqsEvent(sqsRecord({ body })), context),
    ]);
    expect(runs).toHaveLength(1);
    expect([a, b].filter((r) => r.batchItemFailures.length === 0).length).toBeGreaterThanOrEqual(1);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('does not start a job twice while another worker holds its claim', async () => {
    const job = await submitted('echo', { text: 'x' });
    await store.claim(job.id, 1, {
      owner: 'other',
      kind: 'run',
      claimedAt: '',
      leaseUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    await store.transition(job.id, 'running', { attempts: 1 });
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'x' }, jobId: job.id } });
    const result = await consumer()(sqsEvent(record), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'running', attempts: 1 });
  });

  it('takes over a job whose worker died (its claim lease ran out)', async () => {
    const job = await submitted('echo', { text: 'again' });
    await store.claim(job.id, 1, {
      owner: 'dead',
      kind: 'run',
      claimedAt: '',
      leaseUntil: new Date(0).toISOString(),
    });
    await store.transition(job.id, 'running', { attempts: 1 });
    await consumer()(
      sqsEvent(sqsRecord({ body: { task: 'echo', input: { text: 'again' }, jobId: job.id } })),
      context,
    );
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('runs an attempt that was claimed but never started once its lease ran out (its runner stopped in between)', async () => {
    const job = await submitted('echo', { text: 'claimed, never started' });
    await store.claim(job.id, 1, {
      owner: 'dead',
      kind: 'run',
      claimedAt: '',
      leaseUntil: new Date(0).toISOString(),
    });
    const result = await consumer()(
      sqsEvent(
        sqsRecord({ body: { task: 'echo', input: { text: 'claimed, never started' }, jobId: job.id } }),
      ),
      context,
    );
    expect(result.batchItemFailures).toEqual([]);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('returns the delivery of an attempt claimed elsewhere for the rest of that lease, not the visibility timeout', async () => {
    const job = await submitted('echo', { text: 'claimed elsewhere' });
    await store.claim(job.id, 1, {
      owner: 'alive',
      kind: 'run',
      claimedAt: '',
      leaseUntil: new Date(Date.now() + 20_000).toISOString(),
    });
    const { queue, visibilities } = recordingQueue();
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'claimed elsewhere' }, jobId: job.id } });
    const result = await consumer({ queue })(sqsEvent(record), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(visibilities()).toHaveLength(1);
    expect(visibilities()[0]).toBeGreaterThanOrEqual(19);
    expect(visibilities()[0]).toBeLessThanOrEqual(20);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('kills a running job when a cancel is requested', async () => {
    const job = await submitted('sleep', { seconds: 30 });
    const started = Date.now();
    const running = consumer()(
      sqsEvent(sqsRecord({ body: { task: 'sleep', input: { seconds: 30 }, jobId: job.id } })),
      context,
    );
    while ((await store.get(job.id))?.status !== 'running') await sleep(20);
    await store.requestCancel(job.id, 1);
    await expect(running).resolves.toEqual({ batchItemFailures: [] });
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'cancelled', signal: 'SIGTERM' });
  });

  it("writes a running job's output to the store while it runs; the finished record has all of it", async () => {
    const input = { lines: 4, intervalMs: 400 };
    const job = await submitted('ticker', input);
    const running = consumer()(
      sqsEvent(sqsRecord({ body: { task: 'ticker', input, jobId: job.id } })),
      context,
    );
    let seen = '';
    const deadline = Date.now() + 10_000;
    while (!seen.includes('tick 2') && Date.now() < deadline) {
      const chunks = await store.readOutput(job.id, 1, 'stdout', 0);
      seen = chunks.map((c) => c.data).join('');
      await sleep(50);
    }
    // Seen before the job ended: two lines of four, within a flush interval of being written.
    expect(seen).toMatch(/^tick 1\ntick 2\n/);
    expect((await store.get(job.id))?.status).toBe('running');
    await expect(running).resolves.toEqual({ batchItemFailures: [] });
    await expect(store.get(job.id)).resolves.toMatchObject({
      status: 'succeeded',
      output: { stdout: 'tick 1\ntick 2\ntick 3\ntick 4\n', stderr: '', truncated: false },
    });
  });

  it('announces a finished job that asked for a completion callback to the deliverer, and no other', async () => {
    const announced: string[] = [];
    const callbacks = { send: async (jobId: string) => void announced.push(jobId) };
    const withCallback = await submitted('echo', { text: 'tell me' }, { callback: pendingCallback() });
    const plain = await submitted('echo', { text: 'quiet' });
    for (const j of [withCallback, plain]) {
      await consumer({ callbacks })(
        sqsEvent(sqsRecord({ body: { task: 'echo', input: j.input, jobId: j.id } })),
        context,
      );
    }
    expect(announced).toEqual([withCallback.id]);
    const done = await store.get(withCallback.id);
    expect(done).toMatchObject({ status: 'succeeded', callback: { status: 'pending' } });
    expect(done!.callback!.queuedAt).toEqual(expect.any(String));
  });

  it('returns the message when the callback cannot be queued, and announces the job, once, when it comes back', async () => {
    const withCallback = await submitted('echo', { text: 'tell me later' }, { callback: pendingCallback() });
    const message = () =>
      sqsEvent(sqsRecord({ body: { task: 'echo', input: withCallback.input, jobId: withCallback.id } }));
    const { queue, visibilities } = recordingQueue();
    const unreachable = {
      send: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9324');
      },
    };

    const first = await consumer({ callbacks: unreachable, queue })(message(), context);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(visibilities()).toEqual([2]); // back in seconds, not after the visibility timeout
    const ended = await store.get(withCallback.id);
    expect(ended).toMatchObject({ status: 'succeeded', attempts: 1, callback: { status: 'pending' } });
    expect(ended!.callback!.queuedAt).toBeUndefined();

    const announced: string[] = [];
    const callbacks = { send: async (jobId: string) => void announced.push(jobId) };
    await expect(consumer({ callbacks, queue })(message(), context)).resolves.toEqual({
      batchItemFailures: [],
    });
    await expect(consumer({ callbacks, queue })(message(), context)).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(announced).toEqual([withCallback.id]);
    // Run once: the job's result is the first delivery's.
    await expect(store.get(withCallback.id)).resolves.toMatchObject({ attempts: 1, output: ended!.output });
  });

  describe('a delayed job', () => {
    /** A job as a submit with `runAt` writes it. */
    async function scheduled(runAt: Date): Promise<JobRecord> {
      const job: JobRecord = {
        id: newJobId(),
        task: 'echo',
        input: { text: 'later' },
        status: 'scheduled',
        attempts: 0,
        queuedAt: new Date(Math.min(Date.now(), runAt.getTime() - 10_000)).toISOString(),
        runAt: runAt.toISOString(),
      };
      await store.create(job);
      return job;
    }
    const deliver = (job: JobRecord, queue = recordingQueue()) =>
      consumer({ queue: queue.queue })(
        sqsEvent(sqsRecord({ body: { task: job.task, input: job.input, jobId: job.id } })),
        context,
      );

    it('is sent on when its message comes before its time (delayed 15 minutes at most), and not started', async () => {
      const job = await scheduled(new Date(Date.now() + 3_600_000));
      const queue = recordingQueue();
      await expect(deliver(job, queue)).resolves.toEqual({ batchItemFailures: [] });
      const sent = queue.send.mock.calls
        .map(
          ([command]) =>
            command as { constructor: { name: string }; input: { Entries?: Array<Record<string, unknown>> } },
        )
        .filter((command) => command.constructor.name === 'SendMessageBatchCommand');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.input.Entries?.[0]).toMatchObject({ DelaySeconds: 900 });
      expect(JSON.parse(String(sent[0]!.input.Entries?.[0]?.MessageBody))).toEqual({
        task: 'echo',
        input: { text: 'later' },
        jobId: job.id,
      });
      await expect(store.get(job.id)).resolves.toMatchObject({ status: 'scheduled', attempts: 0 });
    });

    it('runs once its time has come; its wait counts from that time', async () => {
      const runAt = new Date(Date.now() - 50);
      const job = await scheduled(runAt);
      await expect(deliver(job)).resolves.toEqual({ batchItemFailures: [] });
      const done = await store.get(job.id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 1, output: { stdout: 'later\n' } });
      expect(Date.parse(done!.startedAt!)).toBeGreaterThanOrEqual(runAt.getTime());
      expect(done!.waitMs).toBe(Date.parse(done!.startedAt!) - runAt.getTime());
    });

    it('never starts once it was cancelled while scheduled', async () => {
      const job = await scheduled(new Date(Date.now() - 50));
      await cancelJob(store, job.id, 'test');
      await expect(deliver(job)).resolves.toEqual({ batchItemFailures: [] });
      await expect(store.get(job.id)).resolves.toMatchObject({ status: 'cancelled', attempts: 0 });
    });
  });

  it('adopts a valid message sent without a job id, under an id derived from the message', async () => {
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'from elsewhere' } } });
    await consumer()(sqsEvent(record), context);
    const id = jobIdForMessage(record.messageId, Number(record.attributes.SentTimestamp));
    await expect(store.get(id)).resolves.toMatchObject({
      status: 'succeeded',
      output: { stdout: 'from elsewhere\n' },
    });
  });

  it('keeps the concurrency key of a message sent without a job id, and fails one whose key breaks the contract', async () => {
    const keyed = sqsRecord({ body: { task: 'echo', input: { text: 'k' }, concurrencyKey: 'tenant-9' } });
    const bad = sqsRecord({ body: { task: 'echo', input: { text: 'k' }, concurrencyKey: '' } });
    await expect(consumer()(sqsEvent(keyed, bad), context)).resolves.toEqual({ batchItemFailures: [] });
    const idOf = (record: typeof keyed) =>
      jobIdForMessage(record.messageId, Number(record.attributes.SentTimestamp));
    await expect(store.get(idOf(keyed))).resolves.toMatchObject({
      status: 'succeeded',
      concurrencyKey: 'tenant-9',
    });
    await expect(store.get(idOf(bad))).resolves.toMatchObject({
      status: 'failed',
      error: 'message field concurrencyKey must be a string of 1 to 128 characters',
    });
  });

  it('records a message that fails validation as a failed job and does not retry it', async () => {
    const record = sqsRecord({ body: { task: 'sleep', input: { seconds: -1 } } });
    const result = await consumer()(sqsEvent(record), context);
    expect(result.batchItemFailures).toEqual([]);
    const id = jobIdForMessage(record.messageId, Number(record.attributes.SentTimestamp));
    await expect(store.get(id)).resolves.toMatchObject({
      status: 'failed',
      error: 'input.seconds must be >= 0',
    });
  });

  it('returns a body that is not JSON as a batch item failure, and keeps going', async () => {
    const bad = sqsRecord({ body: 'not json {' });
    const job = await submitted('echo', { text: 'fine' });
    const good = sqsRecord({ body: { task: 'echo', input: { text: 'fine' }, jobId: job.id } });
    const result = await consumer()(sqsEvent(bad, good), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('puts an attempt that failed to start back in the queue with its reason, and retries it after the backoff', async () => {
    const job = await submitted('echo', { text: 'x' });
    const { queue, visibilities } = recordingQueue();
    let calls = 0;
    const run = async (options: RunOptions) => {
      calls += 1;
      if (calls === 1) throw new SpawnError('could not start: EAGAIN', '/usr/bin/printf');
      return runProcess(options);
    };
    const body = { task: 'echo', input: { text: 'x' }, jobId: job.id };
    const first = sqsRecord({ body, receiveCount: 1 });
    const before = Date.now();
    const handler = consumer({ run, queue, random: () => 1 });
    expect((await handler(sqsEvent(first), context)).batchItemFailures).toHaveLength(1);
    const waiting = await store.get(job.id);
    expect(waiting).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'could not start: EAGAIN',
      attemptHistory: [{ attempt: 1, error: 'could not start: EAGAIN', exitCode: null }],
    });
    // The default policy: exponential from 2 s; the message is visible again then, not after the
    // queue's visibility timeout.
    expect(Date.parse(waiting!.nextAttemptAt!) - before).toBeGreaterThanOrEqual(1900);
    expect(Date.parse(waiting!.nextAttemptAt!) - before).toBeLessThan(4000);
    expect(visibilities().at(-1)).toBe(2);

    const second = sqsRecord({ body, receiveCount: 2 });
    await sleep(Date.parse(waiting!.nextAttemptAt!) - Date.now());
    expect((await handler(sqsEvent(second), context)).batchItemFailures).toEqual([]);
    const done = await store.get(job.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(done?.error).toBeUndefined();
    expect(done?.nextAttemptAt).toBeUndefined();
    expect(done?.attemptHistory?.map((a) => [a.attempt, a.exitCode, a.error])).toEqual([
      [1, null, 'could not start: EAGAIN'],
      [2, 0, null],
    ]);
  });

  it('returns a delivery that comes before the next attempt is due, for the rest of the backoff', async () => {
    const job = await submitted('echo', { text: 'x' });
    const { queue, visibilities } = recordingQueue();
    await store.claim(job.id, 1, { owner: 'x', kind: 'run', claimedAt: '', leaseUntil: '' });
    await store.transition(job.id, 'running', { attempts: 1 });
    const nextAttemptAt = new Date(Date.now() + 30_000).toISOString();
    await store.transition(job.id, 'queued', { nextAttemptAt });
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'x' }, jobId: job.id } });
    const runs: string[] = [];
    const run = async (options: RunOptions) => {
      runs.push('ran');
      return runProcess(options);
    };
    expect((await consumer({ run, queue })(sqsEvent(record), context)).batchItemFailures).toHaveLength(1);
    expect(runs).toEqual([]);
    expect(visibilities()[0]).toBeGreaterThanOrEqual(29);
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'queued', attempts: 1 });
  });

  it('ends a job failed once its policy has no attempt left, and deletes its message', async () => {
    const job = await submitted('echo', { text: 'x' });
    const run = async (): Promise<never> => {
      throw new SpawnError('could not start: EAGAIN', '/usr/bin/printf');
    };
    const body = { task: 'echo', input: { text: 'x' }, jobId: job.id };
    const definitions = shippedTasks as Record<string, TaskDefinition>;
    const handler = consumer({
      run,
      queue: recordingQueue().queue,
      maxReceiveCount: 10,
      catalogue: createCatalogue({ echo: { ...definitions.echo!, retry: { backoff: { delaySeconds: 0 } } } }),
    });
    for (let n = 1; n <= 2; n += 1) {
      expect(
        (await handler(sqsEvent(sqsRecord({ body, receiveCount: n })), context)).batchItemFailures,
      ).toHaveLength(1);
    }
    const third = await handler(sqsEvent(sqsRecord({ body, receiveCount: 3 })), context);
    expect(third.batchItemFailures).toEqual([]);
    const final = await store.get(job.id);
    expect(final).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'attempt 3 failed: could not start: EAGAIN',
    });
    expect(final?.attemptHistory).toHaveLength(3);
  });

  it('retries an exit code its policy names, and keeps any other exit final', async () => {
    const flaky = createCatalogue({
      flaky: {
        description: 'exits with the code given',
        command: 'node',
        args: ['-e', 'process.exit(Number(process.argv[1]))', '{{code}}'],
        input: { type: 'object', properties: { code: { type: 'integer' } }, required: ['code'] },
        timeoutSeconds: 5,
        maxOutputBytes: 100,
        retry: { attempts: 2, on: [75], backoff: { delaySeconds: 0 } },
      },
    });
    const handler = createRunJobsHandler({
      store,
      catalogue: flaky,
      logger: silentLogger,
      maxReceiveCount: 10,
      queue: recordingQueue().queue,
    });
    const again = await submitted('flaky', { code: 75 });
    const once = await submitted('flaky', { code: 1 });
    const deliver = (job: JobRecord, receiveCount = 1) =>
      handler(
        sqsEvent(sqsRecord({ body: { task: 'flaky', input: job.input, jobId: job.id }, receiveCount })),
        context,
      );
    expect((await deliver(again)).batchItemFailures).toHaveLength(1);
    await expect(store.get(again.id)).resolves.toMatchObject({
      status: 'queued',
      exitCode: 75,
      error: 'exited with code 75 (no signal)',
    });
    expect((await deliver(again, 2)).batchItemFailures).toEqual([]);
    await expect(store.get(again.id)).resolves.toMatchObject({ status: 'failed', attempts: 2, exitCode: 75 });
    expect((await deliver(once)).batchItemFailures).toEqual([]);
    await expect(store.get(once.id)).resolves.toMatchObject({ status: 'failed', attempts: 1, exitCode: 1 });
  });

  it('records a message whose input no process can take (a NUL in an argument) as failed, never retried', async () => {
    const record = sqsRecord({ body: { task: 'echo', input: { text: 'x\u0000y' } } });
    const result = await consumer()(sqsEvent(record), context);
    expect(result.batchItemFailures).toEqual([]);
    const id = jobIdForMessage(record.messageId, Number(record.attributes.SentTimestamp));
    await expect(store.get(id)).resolves.toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/input.text must not contain a NUL/),
    });
  });

  it('moves a job to the dead-letter queue on the last delivery the queue allows, and says so', async () => {
    const job = await submitted('echo', { text: 'x' });
    const run = async (): Promise<never> => {
      throw new SpawnError('could not start: EAGAIN', '/usr/bin/printf');
    };
    const body = { task: 'echo', input: { text: 'x' }, jobId: job.id };
    const last = sqsRecord({ body, receiveCount: 3 });
    expect((await consumer({ run })(sqsEvent(last), context)).batchItemFailures).toHaveLength(1);
    const final = await store.get(job.id);
    expect(final).toMatchObject({ status: 'failed', attempts: 1 });
    expect(final?.error).toMatch(/gave up after 3 deliveries .*dead-letter queue/);
  });

  it('returns a delivery the store could not handle in seconds (doubling with its receives), not after the visibility timeout', async () => {
    const job = await submitted('echo', { text: 'x' });
    const { queue, visibilities } = recordingQueue();
    jest.spyOn(store, 'get').mockRejectedValue(new StoreUnavailableError('down'));
    const body = { task: 'echo', input: { text: 'x' }, jobId: job.id };
    const handler = consumer({ queue });
    const first = await handler(sqsEvent(sqsRecord({ body, receiveCount: 1 })), context);
    const third = await handler(sqsEvent(sqsRecord({ body, receiveCount: 3 })), context);
    expect([first.batchItemFailures.length, third.batchItemFailures.length]).toEqual([1, 1]);
    expect(visibilities()).toEqual([2, 8]);
    jest.restoreAllMocks();
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'queued', attempts: 0 });
  });
});
