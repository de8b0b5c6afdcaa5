import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidTransitionError, JobError } from '../../../lib/jobs/job-errors';
import { newJobId } from '../../../lib/jobs/job-id';
import { queuedJob } from '../../helpers/jobs';
import { createJobStore } from '../../../lib/jobs/job-store';
import type { JobStore } from '../../../lib/jobs/job-store';
import { tempDir } from '../../helpers/services';

describe('job store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: JobStore;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    store = createJobStore({ dir });
  });
  afterEach(async () => {
    await cleanup();
  });

  it('creates and reads a record', async () => {
    const job = queuedJob();
    await store.create(job);
    await expect(store.get(job.id)).resolves.toEqual(job);
  });

  it('leaves no temp files behind after writes', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    expect(await readdir(path.join(dir, 'jobs'))).toEqual([`${job.id}.json`]);
  });

  it('follows the state machine and refuses a transition out of a final state', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    const done = await store.transition(job.id, 'succeeded', { exitCode: 0 });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, exitCode: 0 });
    await expect(store.transition(job.id, 'running')).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('returns the same job for a repeated idempotency key', async () => {
    const first = await store.create(queuedJob(), { idempotencyKey: 'order-1' });
    const again = await store.create(queuedJob(), { idempotencyKey: 'order-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
  });

  it('removing a job frees its idempotency key', async () => {
    const first = await store.create(queuedJob(), { idempotencyKey: 'k' });
    await store.remove(first.job.id, { idempotencyKey: 'k' });
    await expect(store.get(first.job.id)).resolves.toBeUndefined();
    const second = await store.create(queuedJob(), { idempotencyKey: 'k' });
    expect(second.created).toBe(true);
  });

  it('lists newest first, page by page, and filters by status from the index', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const job = queuedJob({ id: newJobId(1_700_000_000_000 + i) });
      ids.push(job.id);
      await store.create(job);
    }
    await store.transition(ids[2]!, 'cancelled');
    const newestFirst = [...ids].reverse();

    const page1 = await store.list({ limit: 3 });
    expect(page1.jobs.map((j) => j.id)).toEqual(newestFirst.slice(0, 3));
    const page2 = await store.list({ limit: 3, cursor: page1.nextCursor });
    expect(page2.jobs.map((j) => j.id)).toEqual(newestFirst.slice(3, 6));
    const page3 = await store.list({ limit: 3, cursor: page2.nextCursor });
    expect(page3.jobs.map((j) => j.id)).toEqual(newestFirst.slice(6));
    expect(page3.nextCursor).toBeUndefined();

    const cancelled = await store.list({ status: 'cancelled' });
    expect(cancelled.jobs.map((j) => j.id)).toEqual([ids[2]]);
    await expect(store.countByStatus()).resolves.toMatchObject({ queued: 6, cancelled: 1, running: 0 });
  });

  it('gives an attempt to exactly one claimant', async () => {
    const job = queuedJob();
    await store.create(job);
    const claim = { owner: 'w', kind: 'run' as const, claimedAt: '', leaseUntil: '' };
    const results = await Promise.all([1, 2, 3, 4].map(() => store.claim(job.id, 1, claim)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('records finished jobs for throughput', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'failed', { finishedAt: new Date().toISOString(), runMs: 5 });
    const events = await store.finishedSince(Date.now() - 60_000);
    expect(events).toEqual([expect.objectContaining({ id: job.id, status: 'failed', runMs: 5 })]);
  });

  it('keeps counts and finished events right as they change between calls (its caches follow the files)', async () => {
    const finish = async () => {
      const job = queuedJob();
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
      await store.transition(job.id, 'succeeded', { finishedAt: new Date().toISOString() });
    };
    await finish();
    await new Promise((resolve) => setTimeout(resolve, 150)); // let the directories go quiet
    expect((await store.countByStatus()).succeeded).toBe(1);
    expect(await store.finishedSince(Date.now() - 60_000)).toHaveLength(1);
    await finish();
    expect((await store.countByStatus()).succeeded).toBe(2);
    const events = await store.finishedSince(Date.now() - 60_000);
    expect(events).toHaveLength(2);
    expect(events[1]?.finishedAtMs).toBeGreaterThan(0);
    // A second store on the same directory (another worker) sees the same.
    expect((await createJobStore({ dir }).countByStatus()).succeeded).toBe(2);
  });

  it.each(['../../etc/passwd', 'not-an-id', ''])('refuses %p before it touches a path', async (id) => {
    await expect(store.get(id)).rejects.toBeInstanceOf(JobError);
  });

  it('tells every subscriber which job finished, whichever store instance finished it', async () => {
    const job = queuedJob();
    await store.create(job);
    const seen: string[] = [];
    const unsubscribe = store.onFinished((id) => seen.push(id));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = createJobStore({ dir: store.dir });
    await other.transition(job.id, 'running', { attempts: 1 });
    await other.transition(job.id, 'failed', { finishedAt: new Date().toISOString() });
    const deadline = Date.now() + 3000;
    while (!seen.includes(job.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(seen).toContain(job.id);
  });
});
