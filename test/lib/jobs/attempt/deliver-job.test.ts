import shippedTasks from '../../../../config/tasks.json';
import { deliverJob } from '../../../../lib/jobs/attempt/deliver-job';
import type { AttemptDependencies, Delivery } from '../../../../lib/jobs/attempt/delivery';
import { runsAgain } from '../../../../lib/jobs/attempt/end-attempt';
import { newJobId } from '../../../../lib/jobs/job-id';
import type { JobRecord } from '../../../../lib/jobs/job-record';
import { DEFAULT_RETRY_POLICY } from '../../../../lib/jobs/retry-policy';
import { SpawnError } from '../../../../lib/process/process-errors';
import { runProcess } from '../../../../lib/process/run-process';
import { createCatalogue } from '../../../../lib/tasks/catalogue';
import type { TaskDefinition } from '../../../../lib/tasks/catalogue';
import { StoreUnavailableError } from '../../../../lib/store/store-errors';
import { STORE_KINDS, testStore } from '../../../helpers/job-stores';
import type { TestStore } from '../../../helpers/job-stores';
import { queuedJob } from '../../../helpers/jobs';
import { silentLogger } from '../../../helpers/services';
import { eventually } from '../../../helpers/elasticmq';

/**
 * The attempt's decisions as the job's domain makes them, without SQS: each delivery answers what
 * becomes of its message (done, hold for N s, send on later, return), and the record says what the
 * attempt did. Real processes, a real store; the consumer's part (applying the outcome to SQS) is
 * tested with the consumer.
 */
const catalogue = createCatalogue({
  ...(shippedTasks as Record<string, TaskDefinition>),
  flaky: {
    description: 'Exits 3; its policy runs it again on 3.',
    command: 'sh',
    args: ['-c', 'exit 3'],
    input: { type: 'object' },
    timeoutSeconds: 5,
    maxOutputBytes: 1024,
    retry: { attempts: 3, backoff: { type: 'fixed', delaySeconds: 7 }, on: [3] },
  } as TaskDefinition,
  'one-per-key': {
    description: 'Sleeps; one job per key at once.',
    command: 'sleep',
    args: ['{{seconds}}'],
    input: { type: 'object', properties: { seconds: { type: 'number' } }, required: ['seconds'] },
    timeoutSeconds: 5,
    maxOutputBytes: 1024,
    concurrency: { perKey: 1 },
  } as TaskDefinition,
});

describe.each(STORE_KINDS)(
  'deliverJob: what an attempt decides, and what becomes of its message (%s store)',
  (kind) => {
    let subject: TestStore;
    let deps: AttemptDependencies;
    beforeEach(async () => {
      subject = await testStore(kind);
      deps = {
        store: subject.store,
        catalogue,
        run: runProcess,
        leaseMs: 30_000,
        cancelPollMs: 50,
        owner: 'test-runner',
        random: () => 1,
      };
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    async function stored(task: string, input: Record<string, unknown>, fields: Partial<JobRecord> = {}) {
      const job = queuedJob({ task, input, ...fields });
      await subject.store.create(job);
      return job;
    }
    const delivery = (
      job: Pick<JobRecord, 'id' | 'task' | 'input'>,
      fields: Partial<Delivery> = {},
    ): Delivery => ({
      jobId: job.id,
      task: job.task,
      input: job.input,
      fromSubmit: true,
      receiveCount: 1,
      lastDelivery: false,
      ...fields,
    });

    it('runs a queued job to its end: done, the record succeeded', async () => {
      const job = await stored('echo', { text: 'hi' });
      await expect(deliverJob(deps, silentLogger, delivery(job))).resolves.toEqual({ kind: 'done' });
      await expect(subject.store.get(job.id)).resolves.toMatchObject({
        status: 'succeeded',
        attempts: 1,
        output: { stdout: 'hi\n' },
      });
    });

    it('sends a delayed job on when its time is beyond the delivery: send-on with the rest of the delay', async () => {
      const runAt = new Date(Date.now() + 3600_000).toISOString();
      const job = await stored('echo', { text: 'later' }, { status: 'scheduled', runAt });
      const outcome = await deliverJob(deps, silentLogger, delivery(job));
      expect(outcome).toMatchObject({ kind: 'send-on', message: { jobId: job.id, task: 'echo' } });
      expect(outcome.kind === 'send-on' && outcome.delaySeconds).toBeGreaterThan(3590);
      await expect(subject.store.get(job.id)).resolves.toMatchObject({ status: 'scheduled', attempts: 0 });
    });

    it('runs a failed attempt again under its policy: hold for the backoff, the record queued with the reason', async () => {
      const job = await stored('flaky', {});
      await expect(deliverJob(deps, silentLogger, delivery(job))).resolves.toEqual({
        kind: 'hold',
        seconds: 7,
      });
      await expect(subject.store.get(job.id)).resolves.toMatchObject({
        status: 'queued',
        attempts: 1,
        error: expect.stringContaining('exited with code 3'),
        nextAttemptAt: expect.any(String),
      });
    });

    it('throws when the store cannot record a retry, so the message comes back in seconds, not after the visibility timeout', async () => {
      const job = await stored('flaky', {});
      const store = Object.create(subject.store) as typeof subject.store;
      store.transition = (id, to, patch, options) =>
        to === 'queued'
          ? Promise.reject(new StoreUnavailableError('the job store cannot be used (SQLITE_BUSY)'))
          : subject.store.transition(id, to, patch, options);
      await expect(deliverJob({ ...deps, store }, silentLogger, delivery(job))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      // Its attempt stays claimed: the next delivery takes it over once the lease ends.
      await expect(subject.store.readClaim(job.id, 1)).resolves.toMatchObject({ kind: 'run' });
    });

    it('on the last delivery, fails it instead: done, the record failed with the task’s own end', async () => {
      const job = await stored('flaky', {});
      await expect(
        deliverJob(deps, silentLogger, delivery(job, { receiveCount: 10, lastDelivery: true })),
      ).resolves.toEqual({ kind: 'done' });
      await expect(subject.store.get(job.id)).resolves.toMatchObject({ status: 'failed', exitCode: 3 });
    });

    it('gives up on a failure of the system’s own on the last delivery: hold 0 (to the dead-letter queue), failed saying so', async () => {
      const job = await stored('echo', { text: 'x' });
      const failing = {
        ...deps,
        run: async () => {
          throw new SpawnError('the process spawner is gone', 'printf');
        },
      };
      await expect(
        deliverJob(failing, silentLogger, delivery(job, { receiveCount: 10, lastDelivery: true })),
      ).resolves.toEqual({ kind: 'hold', seconds: 0 });
      await expect(subject.store.get(job.id)).resolves.toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/^gave up after 10 deliveries .*dead-letter queue$/),
      });
    });

    it('answers a job held by a live runner elsewhere with hold for a lease, and a finished job with done', async () => {
      const job = await stored('echo', { text: 'busy' });
      await subject.store.claim(job.id, 1, {
        owner: 'another',
        kind: 'run',
        claimedAt: new Date().toISOString(),
        leaseUntil: new Date(Date.now() + 30_000).toISOString(),
      });
      await subject.store.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
      await expect(deliverJob(deps, silentLogger, delivery(job))).resolves.toEqual({
        kind: 'hold',
        seconds: 30,
      });
      await subject.store.transition(job.id, 'succeeded', { finishedAt: new Date().toISOString() });
      await expect(deliverJob(deps, silentLogger, delivery(job))).resolves.toEqual({ kind: 'done' });
    });

    it('ends a job not started by its startBy as expired: done, it never runs', async () => {
      const startBy = new Date(Date.now() - 1000).toISOString();
      const job = await stored('echo', { text: 'too late' }, { startBy });
      let ran = false;
      const watching = {
        ...deps,
        run: (options: Parameters<typeof runProcess>[0]) => ((ran = true), runProcess(options)),
      };
      await expect(deliverJob(watching, silentLogger, delivery(job))).resolves.toEqual({ kind: 'done' });
      expect(ran).toBe(false);
      await expect(subject.store.get(job.id)).resolves.toMatchObject({
        status: 'expired',
        error: expect.stringContaining(`not started by ${startBy}`),
        finishedAt: expect.any(String),
      });
    });

    describe('concurrency keys', () => {
      it("runs one job of a key at once under its task's perKey: the other waits, its claim given back", async () => {
        const first = await stored('one-per-key', { seconds: 1.5 }, { concurrencyKey: 'tenant-a' });
        const second = await stored('one-per-key', { seconds: 0.1 }, { concurrencyKey: 'tenant-a' });
        const other = await stored('one-per-key', { seconds: 0.1 }, { concurrencyKey: 'tenant-b' });
        const running = deliverJob(deps, silentLogger, delivery(first));
        await eventually(
          () => subject.store.get(first.id),
          (job) => job?.status === 'running',
        );
        // Another key runs meanwhile (its first job: the fair share lets it go first, too).
        await expect(deliverJob(deps, silentLogger, delivery(other))).resolves.toEqual({ kind: 'done' });
        const waited = await deliverJob(deps, silentLogger, delivery(second));
        expect(waited).toEqual({ kind: 'hold', seconds: expect.any(Number) });
        await expect(subject.store.get(second.id)).resolves.toMatchObject({ status: 'queued', attempts: 0 });
        await expect(subject.store.readClaim(second.id, 1)).resolves.toMatchObject({ released: true });
        await expect(running).resolves.toEqual({ kind: 'done' });
        // Its slot is free once the first has ended: the next delivery takes the attempt and runs it.
        await expect(deliverJob(deps, silentLogger, delivery(second))).resolves.toEqual({ kind: 'done' });
        await expect(subject.store.get(second.id)).resolves.toMatchObject({
          status: 'succeeded',
          attempts: 1,
        });
        await expect(subject.store.keySlots('one-per-key:tenant-a')).resolves.toEqual([]);
      });

      it('takes the slot of a holder that stopped answering (its lease ran out)', async () => {
        const stuck = await stored('one-per-key', { seconds: 0.1 }, { concurrencyKey: 'k' });
        const past = new Date(Date.now() - 1000).toISOString();
        await subject.store.claim(stuck.id, 1, {
          owner: 'gone',
          kind: 'run',
          claimedAt: past,
          leaseUntil: past,
        });
        await subject.store.transition(stuck.id, 'running', { attempts: 1 });
        await subject.store.setKeySlot('one-per-key:k', 0, { jobId: stuck.id, attempt: 1 }, null);
        const next = await stored('one-per-key', { seconds: 0.1 }, { concurrencyKey: 'k' });
        await expect(deliverJob(deps, silentLogger, delivery(next))).resolves.toEqual({ kind: 'done' });
        await expect(subject.store.get(next.id)).resolves.toMatchObject({ status: 'succeeded' });
      });

      it('lets a key that runs nothing go first (the fair share): its next job runs in this slot, and a waiting message is sent on rather than to the DLQ', async () => {
        const busy = await stored('sleep', { seconds: 1 }, { concurrencyKey: 'big' });
        await subject.store.transition(busy.id, 'running', {
          attempts: 1,
          startedAt: new Date().toISOString(),
        });
        const backlog = await stored('echo', { text: 'a' }, { concurrencyKey: 'big' });
        const small = await stored('echo', { text: 'b' }, { concurrencyKey: 'small' });
        await expect(deliverJob(deps, silentLogger, delivery(backlog))).resolves.toEqual({
          kind: 'hold',
          seconds: 1,
        });
        // The other key's job ran here, without waiting for its own message.
        await expect(subject.store.get(small.id)).resolves.toMatchObject({
          status: 'succeeded',
          output: { stdout: 'b\n' },
        });
        await expect(subject.store.get(backlog.id)).resolves.toMatchObject({ status: 'queued', attempts: 0 });
        // Its own message, when it comes, finds it done.
        await expect(deliverJob(deps, silentLogger, delivery(small))).resolves.toEqual({ kind: 'done' });
        const other = await stored('echo', { text: 'c' }, { concurrencyKey: 'other' });
        await expect(
          deliverJob(deps, silentLogger, delivery(backlog, { lastDelivery: true })),
        ).resolves.toEqual({
          kind: 'send-on',
          message: { task: 'echo', input: { text: 'a' }, jobId: backlog.id, concurrencyKey: 'big' },
          delaySeconds: 1,
        });
        await expect(subject.store.get(other.id)).resolves.toMatchObject({ status: 'succeeded' });
        // Nobody else waits now: the backlog's job runs.
        await expect(deliverJob(deps, silentLogger, delivery(backlog))).resolves.toEqual({ kind: 'done' });
      });
    });

    it('drops a message whose submit rolled its job back (no record), and adopts one without a job id', async () => {
      const orphan = { id: newJobId(), task: 'echo', input: { text: 'x' } };
      await expect(deliverJob(deps, silentLogger, delivery(orphan))).resolves.toEqual({ kind: 'done' });
      await expect(subject.store.get(orphan.id)).resolves.toBeUndefined();
      const adopted = { id: newJobId(), task: 'echo', input: { text: 'adopted' } };
      await expect(deliverJob(deps, silentLogger, delivery(adopted, { fromSubmit: false }))).resolves.toEqual(
        {
          kind: 'done',
        },
      );
      await expect(subject.store.get(adopted.id)).resolves.toMatchObject({ status: 'succeeded' });
    });
  },
);

describe('runsAgain: one rule for a task’s end and a failure of the system’s own', () => {
  it('runs again what the policy names, never on the last delivery, never a success or a cancel', () => {
    expect(runsAgain(DEFAULT_RETRY_POLICY, 1, { kind: 'error' }, false)).toBe(true);
    expect(runsAgain(DEFAULT_RETRY_POLICY, 1, { kind: 'error' }, true)).toBe(false);
    expect(runsAgain(DEFAULT_RETRY_POLICY, 3, { kind: 'error' }, false)).toBe(false);
    expect(runsAgain(DEFAULT_RETRY_POLICY, 1, { kind: 'exit', exitCode: 1 }, false)).toBe(false);
    expect(runsAgain(DEFAULT_RETRY_POLICY, 1, undefined, false)).toBe(false);
  });
});
