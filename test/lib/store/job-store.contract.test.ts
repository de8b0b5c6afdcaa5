import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  InvalidTransitionError,
  JobError,
  JobNotFoundError,
  StaleAttemptError,
} from '../../../lib/jobs/job-errors';
import { newJobId } from '../../../lib/jobs/job-id';
import type { JobRecord } from '../../../lib/jobs/job-record';
import type { JobStore } from '../../../lib/jobs/job-store';
import { queuedJob } from '../../helpers/jobs';
import { STORE_KINDS, testStore } from '../../helpers/job-stores';
import type { TestStore } from '../../helpers/job-stores';

/** Every behaviour of the store port, held to each adapter alike. */
describe.each(STORE_KINDS)('job store contract (%s)', (kind) => {
  let subject: TestStore;
  let store: JobStore;

  beforeEach(async () => {
    subject = await testStore(kind);
    store = subject.store;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  const claimOf = (owner: string) => ({
    owner,
    kind: 'run' as const,
    claimedAt: iso(Date.now()),
    leaseUntil: iso(Date.now() + 60_000),
  });

  it('creates and reads a record; an unknown id reads as undefined', async () => {
    const job = queuedJob();
    await expect(store.create(job)).resolves.toEqual({ job, created: true });
    await expect(store.get(job.id)).resolves.toEqual(job);
    await expect(store.get(newJobId())).resolves.toBeUndefined();
  });

  it('follows the state machine and refuses a transition out of a final state', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    const done = await store.transition(job.id, 'succeeded', { exitCode: 0 });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, exitCode: 0 });
    await expect(store.get(job.id)).resolves.toEqual(done);
    await expect(store.transition(job.id, 'running')).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(store.transition(newJobId(), 'running')).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("builds a transition on the caller's copy (`from`) and checks the state machine against it", async () => {
    const job = queuedJob();
    await store.create(job);
    const running = await store.transition(job.id, 'running', { attempts: 1 }, { from: job });
    expect(running).toEqual({ ...job, status: 'running', attempts: 1 });
    const done = await store.transition(job.id, 'succeeded', { exitCode: 0 }, { from: running });
    expect(done).toEqual({ ...running, status: 'succeeded', exitCode: 0 });
    await expect(store.get(job.id)).resolves.toEqual(done);
    await expect(store.transition(job.id, 'running', {}, { from: done })).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    await expect(store.get(job.id)).resolves.toEqual(done);
  });

  it('lets exactly one of two racing transitions out of running win (compare-and-set on the status)', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    const results = await Promise.allSettled([
      store.transition(job.id, 'succeeded', { exitCode: 0 }),
      store.transition(job.id, 'cancelled'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failure = results.find((r) => r.status === 'rejected');
    expect(failure?.reason).toBeInstanceOf(InvalidTransitionError);
  });

  it('lets exactly one of two store instances win a race out of running, every time (as two processes)', async () => {
    const other = subject.open();
    for (let round = 0; round < 20; round += 1) {
      const job = queuedJob();
      await store.create(job);
      const running = await store.transition(job.id, 'running', { attempts: 1 });
      // Each holds its own copy of the record, as two runners would.
      const results = await Promise.allSettled([
        store.transition(job.id, 'succeeded', { exitCode: 0 }, { from: running, attempt: 1 }),
        other.transition(job.id, 'cancelled', {}, { from: running, attempt: 1 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      await expect(store.get(job.id)).resolves.toMatchObject({
        status: winner === 0 ? 'succeeded' : 'cancelled',
      });
    }
  });

  it('lets exactly one of two processes win each of 100 races out of running', async () => {
    const jobs: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const job = queuedJob();
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1 });
      jobs.push(job.id);
    }
    const racer = (to: string) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '..', '..', 'helpers', 'store-racer.ts'), to, ...jobs],
        { env: { ...process.env, ...subject.env }, stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const done = new Promise<string[]>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', () => resolve(JSON.parse(out || '[]') as string[]));
      });
      return { child, done };
    };
    const a = racer('succeeded');
    const b = racer('cancelled');
    // Both have read their copies once their stdin is open; then go at once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    a.child.stdin.end('go\n');
    b.child.stdin.end('go\n');
    const [wonA, wonB] = await Promise.all([a.done, b.done]);
    expect(wonA.length + wonB.length).toBe(100);
    expect(wonA.filter((id) => wonB.includes(id))).toEqual([]);
    const counts = await store.countByStatus();
    expect(counts).toMatchObject({ succeeded: wonA.length, cancelled: wonB.length, running: 0 });
  }, 60_000);

  it('fences a transition by the attempt: a runner whose job was taken over can no longer write', async () => {
    const job = queuedJob();
    await store.create(job);
    const first = await store.transition(job.id, 'running', { attempts: 1 });
    // Another runner takes the job over (attempt 2) from another store instance.
    await subject.open().transition(job.id, 'running', { attempts: 2 }, { attempt: 1 });
    await expect(
      store.transition(job.id, 'succeeded', { exitCode: 0 }, { from: first, attempt: 1 }),
    ).rejects.toBeInstanceOf(StaleAttemptError);
    await expect(store.transition(job.id, 'failed', {}, { attempt: 1 })).rejects.toBeInstanceOf(
      StaleAttemptError,
    );
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'running', attempts: 2 });
    await expect(store.transition(job.id, 'succeeded', {}, { attempt: 2 })).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('counts the queued jobs that wait for a retry', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.create(queuedJob());
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'queued', { nextAttemptAt: iso(Date.now() + 2000) }, { attempt: 1 });
    await expect(store.countRetrying()).resolves.toBe(1);
    await store.transition(job.id, 'running', { attempts: 2, nextAttemptAt: undefined });
    await expect(store.countRetrying()).resolves.toBe(0);
  });

  it('takes an ended job that is queued again (a retry on demand) out of its final count', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'failed', { finishedAt: iso(Date.now()) });
    await expect(store.countByStatus()).resolves.toMatchObject({ failed: 1, queued: 0 });
    await store.transition(job.id, 'queued', { finishedAt: undefined }, { attempt: 1 });
    await expect(store.countByStatus()).resolves.toMatchObject({ failed: 0, queued: 1 });
  });

  it('returns the same job for a repeated idempotency key', async () => {
    const first = await store.create(queuedJob(), { idempotencyKey: 'order-1' });
    const again = await store.create(queuedJob(), { idempotencyKey: 'order-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
  });

  it('makes one job of two submits with the same idempotency key at once, even from two workers', async () => {
    const other = subject.open();
    const results = await Promise.all([
      store.create(queuedJob(), { idempotencyKey: 'race' }),
      other.create(queuedJob(), { idempotencyKey: 'race' }),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.job.id).toBe(results[1]!.job.id);
    expect((await store.list()).jobs).toHaveLength(1);
  });

  it('removing a job frees its idempotency key', async () => {
    const first = await store.create(queuedJob(), { idempotencyKey: 'k' });
    await store.remove(first.job.id, { idempotencyKey: 'k' });
    await expect(store.get(first.job.id)).resolves.toBeUndefined();
    const second = await store.create(queuedJob(), { idempotencyKey: 'k' });
    expect(second.created).toBe(true);
    expect(second.job.id).not.toBe(first.job.id);
  });

  it('keeps the count of each final status whatever leaves the store, and takes a retried one back', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'failed', { exitCode: 1 });
    await expect(store.countByStatus()).resolves.toMatchObject({ failed: 1, queued: 0 });
    await store.transition(job.id, 'queued', {});
    await expect(store.countByStatus()).resolves.toMatchObject({ failed: 0, queued: 1 });
    await store.transition(job.id, 'running', { attempts: 2 });
    await store.transition(job.id, 'succeeded', { exitCode: 0 });
    await expect(store.countByStatus()).resolves.toMatchObject({ failed: 0, succeeded: 1, running: 0 });
  });

  it('fills a page whose records take more than 1 MB (a DynamoDB query answers 1 MB at most)', async () => {
    const text = 'x'.repeat(60_000);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const job = queuedJob({ id: newJobId(1_700_000_000_000 + i), input: { text } });
      ids.push(job.id);
      await store.create(job);
    }
    const all = await store.list({ limit: 100 });
    expect(all.jobs).toHaveLength(30);
    expect(all.nextCursor).toBeUndefined();
    const queued = await store.list({ status: 'queued', limit: 25 });
    expect(queued.jobs.map((j) => j.id)).toEqual([...ids].reverse().slice(0, 25));
    expect(queued.nextCursor).toBe(ids[5]);
    const rest = await store.list({ status: 'queued', limit: 25, cursor: queued.nextCursor });
    expect(rest.jobs).toHaveLength(5);
  }, 60_000);

  it('counts the queued jobs ahead of one, and the queue by task (the ETA)', async () => {
    const now = Date.now();
    const jobs = [
      queuedJob({ id: newJobId(now - 3000), task: 'echo' }),
      queuedJob({ id: newJobId(now - 2000), task: 'sleep', input: { seconds: 1 } }),
      queuedJob({ id: newJobId(now - 1000), task: 'echo' }),
      queuedJob({ id: newJobId(now), task: 'echo' }),
    ];
    for (const job of jobs) await store.create(job);
    await store.transition(jobs[0]!.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
    await expect(store.countQueuedBefore(jobs[3]!.id)).resolves.toBe(2);
    await expect(store.countQueuedBefore(jobs[1]!.id)).resolves.toBe(0);
    await expect(store.queuedByTask()).resolves.toEqual({ echo: 2, sleep: 1 });
  });

  describe('concurrency keys', () => {
    it("lists a key's jobs (with a status among them) and counts its queued jobs ahead of one", async () => {
      // Ids made in one millisecond need not order by creation: the order is the ids'.
      const [a1, a2, a3] = [0, 1, 2]
        .map(() => queuedJob({ concurrencyKey: 'tenant-a' }))
        .sort((x, y) => x.id.localeCompare(y.id)) as [JobRecord, JobRecord, JobRecord];
      for (const job of [a1, queuedJob({ concurrencyKey: 'tenant-b' }), a2, a3]) await store.create(job);
      await store.transition(a2.id, 'running', { attempts: 1 });
      const page = await store.list({ concurrencyKey: 'tenant-a', limit: 2 });
      expect(page.jobs.map((job) => job.id)).toEqual([a3.id, a2.id]);
      const rest = await store.list({ concurrencyKey: 'tenant-a', limit: 2, cursor: page.nextCursor });
      expect(rest).toEqual({ jobs: [expect.objectContaining({ id: a1.id })] });
      const queued = await store.list({ concurrencyKey: 'tenant-a', status: 'queued' });
      expect(queued.jobs.map((job) => job.id)).toEqual([a3.id, a1.id]);
      await expect(store.list({ concurrencyKey: 'nobody' })).resolves.toEqual({ jobs: [] });
      await expect(store.countQueuedBefore(a3.id, 'tenant-a')).resolves.toBe(1);
      await expect(store.countQueuedBefore(a3.id)).resolves.toBeGreaterThanOrEqual(1);
    });

    it('reads the live jobs by key and task: running, and queued and due (a retry that waits is not)', async () => {
      const later = new Date(Date.now() + 60_000).toISOString();
      const jobs = [
        queuedJob({ task: 'echo', concurrencyKey: 'a' }),
        queuedJob({ task: 'echo', concurrencyKey: 'a' }),
        queuedJob({ task: 'sleep', concurrencyKey: 'a' }),
        queuedJob({ task: 'echo', concurrencyKey: 'b', nextAttemptAt: later }),
        queuedJob({ task: 'echo' }),
      ];
      for (const job of jobs) await store.create(job);
      await store.transition(jobs[0]!.id, 'running', { attempts: 1 });
      const load = await store.keyLoad();
      const sorted = [...load].sort((x, y) => `${x.key}${x.task}`.localeCompare(`${y.key}${y.task}`));
      expect(sorted).toEqual([
        { key: 'a', task: 'echo', running: 1, waiting: 1 },
        { key: 'a', task: 'sleep', running: 0, waiting: 1 },
        { key: 'b', task: 'echo', running: 0, waiting: 0 },
        { key: null, task: 'echo', running: 0, waiting: 1 },
      ]);
    });

    it('holds key slots as compare-and-sets: taken once, moved or freed only by the holder named', async () => {
      const one = { jobId: newJobId(), attempt: 1 };
      const two = { jobId: newJobId(), attempt: 1 };
      await expect(store.keySlots('echo:a')).resolves.toEqual([]);
      const races = await Promise.all([
        store.setKeySlot('echo:a', 0, one, null),
        subject.open().setKeySlot('echo:a', 0, two, null),
      ]);
      expect(races.filter(Boolean)).toHaveLength(1);
      const [held] = await store.keySlots('echo:a');
      const other = held!.holder.jobId === one.jobId ? two : one;
      await expect(store.setKeySlot('echo:a', 0, other, other)).resolves.toBe(false);
      await expect(store.setKeySlot('echo:a', 0, other, held!.holder)).resolves.toBe(true);
      await expect(store.setKeySlot('echo:a', 1, one, null)).resolves.toBe(true);
      await expect(store.keySlots('echo:a')).resolves.toEqual(
        expect.arrayContaining([
          { index: 0, holder: other },
          { index: 1, holder: one },
        ]),
      );
      await expect(store.keySlots('echo:b')).resolves.toEqual([]);
      await expect(store.setKeySlot('echo:a', 0, null, one)).resolves.toBe(false);
      await expect(store.setKeySlot('echo:a', 0, null, other)).resolves.toBe(true);
      await expect(store.keySlots('echo:a')).resolves.toEqual([{ index: 1, holder: one }]);
    });
  });

  it('lists newest first, page by page, filters by status, and counts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const job = queuedJob({ id: newJobId(1_700_000_000_000 + i) });
      ids.push(job.id);
      await store.create(job);
    }
    await store.transition(ids[2]!, 'cancelled');
    await store.transition(ids[4]!, 'running', { attempts: 1 });
    const newestFirst = [...ids].reverse();

    const page1 = await store.list({ limit: 3 });
    expect(page1.jobs.map((j) => j.id)).toEqual(newestFirst.slice(0, 3));
    const page2 = await store.list({ limit: 3, cursor: page1.nextCursor });
    expect(page2.jobs.map((j) => j.id)).toEqual(newestFirst.slice(3, 6));
    const page3 = await store.list({ limit: 3, cursor: page2.nextCursor });
    expect(page3.jobs.map((j) => j.id)).toEqual(newestFirst.slice(6));
    expect(page3.nextCursor).toBeUndefined();
    const exact = await store.list({ limit: 7 });
    expect(exact.jobs).toHaveLength(7);
    expect(exact.nextCursor).toBeUndefined();

    const cancelled = await store.list({ status: 'cancelled' });
    expect(cancelled.jobs.map((j) => j.id)).toEqual([ids[2]]);
    const queued = await store.list({ status: 'queued', limit: 2 });
    expect(queued.jobs.map((j) => j.id)).toEqual([ids[6], ids[5]]);
    const queuedNext = await store.list({ status: 'queued', limit: 10, cursor: queued.nextCursor });
    expect(queuedNext.jobs.map((j) => j.id)).toEqual([ids[3], ids[1], ids[0]]);
    await expect(store.countByStatus()).resolves.toEqual({
      scheduled: 0,
      queued: 5,
      running: 1,
      succeeded: 0,
      failed: 0,
      timed_out: 0,
      cancelled: 1,
      expired: 0,
    });
    // Another worker on the same store counts the same.
    await expect(subject.open().countByStatus()).resolves.toMatchObject({ queued: 5, cancelled: 1 });
  });

  it('gives an attempt to exactly one claimant, across workers', async () => {
    const job = queuedJob();
    await store.create(job);
    const other = subject.open();
    const results = await Promise.all(
      [store, other, store, other].map((s, i) => s.claim(job.id, 1, claimOf(`w${i}`))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `w${results.indexOf(true)}`;
    await expect(store.readClaim(job.id, 1)).resolves.toMatchObject({ owner: winner, kind: 'run' });
    await expect(store.claim(job.id, 2, claimOf('next'))).resolves.toBe(true);
    await expect(store.readClaim(job.id, 3)).resolves.toBeUndefined();
  });

  it("changes a claim's lease and nothing else", async () => {
    const job = queuedJob();
    await store.create(job);
    const claim = claimOf('w');
    await store.claim(job.id, 1, claim);
    await store.updateClaim(job.id, 1, { leaseUntil: iso(0) });
    await expect(store.readClaim(job.id, 1)).resolves.toEqual({ ...claim, leaseUntil: iso(0) });
    // No claim, nothing to change: no error, nothing made.
    await store.updateClaim(job.id, 9, { leaseUntil: iso(0) });
    await expect(store.readClaim(job.id, 9)).resolves.toBeUndefined();
  });

  it('keeps a cancel request until the job ends', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await expect(store.isCancelRequested(job.id, 1)).resolves.toBe(false);
    await store.requestCancel(job.id, 1);
    await expect(subject.open().isCancelRequested(job.id, 1)).resolves.toBe(true);
    await store.transition(job.id, 'cancelled');
    await expect(store.isCancelRequested(job.id, 1)).resolves.toBe(false);
  });

  it('never lets a cancel request made for one attempt stop a later one', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'failed', { exitCode: 1 });
    // A request for attempt 1 that lands after it ended (the finish cleared nothing yet to clear).
    await store.requestCancel(job.id, 1);
    await store.transition(job.id, 'queued', {});
    await expect(store.isCancelRequested(job.id, 2)).resolves.toBe(false);
    await expect(store.isCancelRequested(job.id, 1)).resolves.toBe(true);
  });

  it('aggregates finished jobs per minute: counts, wait and run histograms, busy time spread over minutes', async () => {
    const minute = 60_000;
    const base = Date.now() - (Date.now() % minute) - 10 * minute;
    const finish = async (
      startedAt: number,
      finishedAt: number,
      waitMs: number,
      status: 'succeeded' | 'failed',
    ) => {
      const job = queuedJob();
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1, startedAt: iso(startedAt), waitMs });
      await store.transition(job.id, status, { finishedAt: iso(finishedAt), runMs: finishedAt - startedAt });
    };
    await finish(base + 30_000, base + minute + 30_000, 200, 'succeeded'); // 60 s over two minutes
    await finish(base + minute + 40_000, base + minute + 41_000, 1234, 'failed');
    const queued = queuedJob();
    await store.create(queued);
    await store.transition(queued.id, 'cancelled', { finishedAt: iso(base + 2 * minute + 1) });

    const minutes = await subject.open().finishedByMinute(base - 5 * minute, base + 5 * minute);
    expect(minutes).toEqual([
      { minuteMs: base, finished: 0, busyMs: 30_000, waitMs: {}, runMs: {} },
      {
        minuteMs: base + minute,
        finished: 2,
        busyMs: 31_000,
        waitMs: { 200: 1, 1300: 1 },
        runMs: { 60000: 1, 1000: 1 },
      },
      { minuteMs: base + 2 * minute, finished: 1, busyMs: 0, waitMs: {}, runMs: {} },
    ]);
    await expect(store.finishedByMinute(base + 3 * minute, base + 5 * minute)).resolves.toEqual([]);
    await expect(store.countByStatus()).resolves.toMatchObject({ succeeded: 1, failed: 1, cancelled: 1 });
  });

  it("keeps a running attempt's output pieces by stream and offset, and drops them when the job ends", async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    const pieces = ['tick 1\n', 'tick 2 \u{1F600}\n', 'tick 3\n'];
    let offset = 0;
    for (const data of pieces) {
      await store.appendOutput(job.id, 1, { stream: 'stdout', offset, data });
      offset += Buffer.byteLength(data);
    }
    // Written again (a retried write), the same piece changes nothing.
    await store.appendOutput(job.id, 1, { stream: 'stdout', offset: 0, data: pieces[0]! });
    await store.appendOutput(job.id, 1, { stream: 'stderr', offset: 0, data: 'warn\n' });
    await store.appendOutput(job.id, 2, { stream: 'stdout', offset: 0, data: 'other attempt\n' });

    const all = await store.readOutput(job.id, 1, 'stdout', 0);
    expect(all.map((c) => c.data)).toEqual(pieces);
    expect(all.map((c) => c.offset)).toEqual([0, 7, 7 + Buffer.byteLength(pieces[1]!)]);
    // From inside the second piece: that piece and the next; from the end: nothing.
    expect((await store.readOutput(job.id, 1, 'stdout', 8)).map((c) => c.offset)).toEqual([
      7,
      all[2]!.offset,
    ]);
    await expect(store.readOutput(job.id, 1, 'stdout', offset)).resolves.toEqual([]);
    await expect(store.readOutput(job.id, 1, 'stderr', 0)).resolves.toEqual([
      { stream: 'stderr', offset: 0, data: 'warn\n' },
    ]);
    await expect(store.readOutput(job.id, 2, 'stdout', 0)).resolves.toHaveLength(1);

    await store.transition(job.id, 'succeeded', { exitCode: 0 });
    // Gone with the finish in SQLite; DynamoDB lets them expire (the record holds the output).
    const left = await store.readOutput(job.id, 1, 'stdout', 0);
    expect(left).toHaveLength(kind === 'sqlite' ? 0 : pieces.length);
  });

  it('keeps all-time totals of finished jobs: per task and status, wait and run histograms, usage', async () => {
    await expect(store.finishedTotals()).resolves.toEqual({
      byTask: [],
      waitMs: { buckets: {}, sumMs: 0, count: 0 },
      runMs: { buckets: {}, sumMs: 0, count: 0 },
      cpuMsByTask: {},
      peakMemoryByTask: {},
      runMsByTask: {},
    });
    const finish = async (task: string, status: 'succeeded' | 'failed', waitMs: number, runMs: number) => {
      const job = queuedJob({ task });
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString(), waitMs });
      await store.transition(job.id, status, {
        runMs,
        finishedAt: new Date().toISOString(),
        usage: { cpuMs: runMs / 2, peakMemoryBytes: 3 * 1024 * 1024, processes: 1, scope: 'job' },
      });
    };
    await finish('echo', 'succeeded', 3, 40);
    await finish('echo', 'succeeded', 70, 2_000);
    await finish('fail', 'failed', 3, 40);
    // Never started: counted by task, in no histogram.
    const cancelled = queuedJob({ task: 'sleep' });
    await store.create(cancelled);
    await store.transition(cancelled.id, 'cancelled', { finishedAt: new Date().toISOString() });
    await expect(store.finishedTotals()).resolves.toEqual({
      byTask: [
        { task: 'echo', status: 'succeeded', count: 2 },
        { task: 'fail', status: 'failed', count: 1 },
        { task: 'sleep', status: 'cancelled', count: 1 },
      ],
      waitMs: { buckets: { '0.005': 2, '0.1': 1 }, sumMs: 76, count: 3 },
      runMs: { buckets: { '0.05': 2, '2.5': 1 }, sumMs: 2_080, count: 3 },
      cpuMsByTask: { echo: 1_020, fail: 20 },
      peakMemoryByTask: {
        echo: { buckets: { [String(4 * 1024 * 1024)]: 2 }, sum: 6 * 1024 * 1024, count: 2 },
        fail: { buckets: { [String(4 * 1024 * 1024)]: 1 }, sum: 3 * 1024 * 1024, count: 1 },
      },
      runMsByTask: { echo: { sumMs: 2_040, count: 2 }, fail: { sumMs: 40, count: 1 } },
    });
  });

  describe("a final job's completion callback", () => {
    async function endedWithCallback() {
      const job = queuedJob({
        callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
      });
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1 });
      return store.transition(job.id, 'succeeded', { exitCode: 0 });
    }

    it('is changed as a compare-and-set on the callback as read: two writers at once both land', async () => {
      const other = subject.open();
      for (let round = 0; round < 10; round += 1) {
        const ended = await endedWithCallback();
        const written = await Promise.all([
          store.setCallback(ended.id, (cb) => ({ ...cb, queuedAt: '2026-01-01T00:00:00.000Z' }), ended),
          other.setCallback(
            ended.id,
            (cb) => ({ ...cb, attempts: cb.attempts + 1, lastError: 'boom' }),
            ended,
          ),
        ]);
        expect(written.every(Boolean)).toBe(true);
        const stored = await store.get(ended.id);
        expect(stored).toMatchObject({ status: 'succeeded', attempts: 1, exitCode: 0 });
        expect(stored!.callback).toEqual({
          url: 'https://example.com/hook',
          status: 'pending',
          attempts: 1,
          lastError: 'boom',
          queuedAt: '2026-01-01T00:00:00.000Z',
        });
      }
    });

    it('is found while it is pending on a final job, and no longer once delivered or given up', async () => {
      const collect = async (from: JobStore) => {
        const ids: string[] = [];
        for await (const job of from.pendingCallbacks()) ids.push(job.id);
        return ids.sort();
      };
      const delivered = await endedWithCallback();
      const failed = await endedWithCallback();
      const pending = await endedWithCallback();
      const cancelled = queuedJob({
        callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
      });
      await store.create(cancelled);
      await store.transition(cancelled.id, 'cancelled');
      // Not final yet, or no callback: not for the deliverer.
      const waiting = queuedJob({
        callback: { url: 'https://example.com/hook', status: 'pending', attempts: 0, lastError: null },
      });
      await store.create(waiting);
      const plain = queuedJob();
      await store.create(plain);
      await store.transition(plain.id, 'cancelled');
      await store.setCallback(delivered.id, (cb) => ({ ...cb, status: 'delivered', attempts: 1 }), delivered);
      await store.setCallback(failed.id, (cb) => ({ ...cb, status: 'failed', attempts: 1 }), failed);
      await store.setCallback(pending.id, (cb) => ({ ...cb, attempts: 1, lastError: 'boom' }), pending);

      await expect(collect(store)).resolves.toEqual([pending.id, cancelled.id].sort());
      // A retry on demand takes it out until the job ends again.
      await store.transition(cancelled.id, 'queued', { attempts: 1 });
      await expect(collect(subject.open())).resolves.toEqual([pending.id]);
    });

    it('is left alone when the job is no longer as expected (queued again) or the change answers nothing', async () => {
      const ended = await endedWithCallback();
      const deliver = (cb: NonNullable<typeof ended.callback>) => ({ ...cb, status: 'delivered' as const });
      await expect(
        store.setCallback(ended.id, deliver, { status: 'failed', attempts: 1 }),
      ).resolves.toBeUndefined();
      await expect(
        store.setCallback(ended.id, deliver, { status: 'succeeded', attempts: 2 }),
      ).resolves.toBeUndefined();
      await expect(store.setCallback(ended.id, () => undefined, ended)).resolves.toBeUndefined();
      await expect(store.get(ended.id)).resolves.toEqual(ended);
      await expect(store.setCallback(ended.id, deliver, ended)).resolves.toMatchObject({
        status: 'delivered',
      });
    });
  });

  it('keeps small shared values', async () => {
    await expect(store.readMeta('peak')).resolves.toBeUndefined();
    await store.writeMeta('peak', { value: 7 });
    await expect(subject.open().readMeta('peak')).resolves.toEqual({ value: 7 });
  });

  it('proves it answers (health) with a read that writes nothing', async () => {
    await expect(store.probe()).resolves.toBeUndefined();
    await expect(store.probe()).resolves.toBeUndefined();
    await expect(subject.open().readMeta('probe')).resolves.toBeUndefined();
  });

  it.each(['../../etc/passwd', 'not-an-id', ''])('refuses %p as a job id', async (id) => {
    await expect(store.get(id)).rejects.toBeInstanceOf(JobError);
    await expect(store.list({ cursor: id || 'x' })).rejects.toBeInstanceOf(JobError);
  });
});
