import { newJobId } from '../../../lib/jobs/job-id';
import { createSqliteJobStore } from '../../../lib/store/sqlite-job-store';
import { queuedJob } from '../../helpers/jobs';
import { tempDir } from '../../helpers/temp-dir';

/** Retention of the SQLite store: finished jobs go with all that belongs to them; counts stay. */
describe('the SQLite store prunes finished jobs', () => {
  it('removes jobs finished before the time given, with their claims, keys, output and cancel requests', async () => {
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    try {
      const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { job } = await store.create(queuedJob(), { idempotencyKey: `key-${i}` });
        ids.push(job.id);
        await store.claim(job.id, 1, { owner: 'w', kind: 'run', claimedAt: old, leaseUntil: old });
        await store.appendOutput(job.id, 1, { stream: 'stdout', offset: 0, data: 'x' });
        await store.transition(job.id, 'running', { attempts: 1 });
        await store.requestCancel(job.id, 1);
        await store.transition(job.id, i < 3 ? 'succeeded' : 'failed', { finishedAt: old });
      }
      const recent = queuedJob({ id: newJobId() });
      await store.create(recent);
      await store.transition(recent.id, 'running', { attempts: 1 });
      await store.transition(recent.id, 'succeeded', {});
      const waiting = queuedJob();
      await store.create(waiting);
      const counts = await store.countByStatus();
      const totals = await store.finishedTotals();

      const before = new Date(Date.now() - 30 * 86_400_000).toISOString();
      await expect(store.pruneFinished(before, 2)).resolves.toBe(2);
      await expect(store.pruneFinished(before, 100)).resolves.toBe(3);
      await expect(store.pruneFinished(before, 100)).resolves.toBe(0);

      for (const id of ids) {
        await expect(store.get(id)).resolves.toBeUndefined();
        await expect(store.readClaim(id, 1)).resolves.toBeUndefined();
        await expect(store.isCancelRequested(id, 1)).resolves.toBe(false);
      }
      // A key whose job is gone names nothing: the same key submits anew.
      await expect(store.create(queuedJob(), { idempotencyKey: 'key-0' })).resolves.toMatchObject({
        created: true,
      });
      await expect(store.get(recent.id)).resolves.toMatchObject({ status: 'succeeded' });
      await expect(store.get(waiting.id)).resolves.toMatchObject({ status: 'queued' });
      // What was counted stays counted.
      await expect(store.countByStatus()).resolves.toEqual({ ...counts, queued: counts.queued + 1 });
      await expect(store.finishedTotals()).resolves.toEqual(totals);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
