import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createFileJobStore } from '../../../lib/store/file-job-store';
import type { JobStore } from '../../../lib/store/job-store';
import { queuedJob } from '../../helpers/jobs';
import { tempDir } from '../../helpers/services';

/** What only the file adapter does; the behaviour every store shares is in job-store.contract.test.ts. */
describe('file job store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: JobStore;
  const opened: JobStore[] = [];
  const open = () => {
    const instance = createFileJobStore({ dir });
    opened.push(instance);
    return instance;
  };

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    store = open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await cleanup();
  });

  it('leaves no temp files behind after writes', async () => {
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    expect(await readdir(path.join(dir, 'jobs'))).toEqual([`${job.id}.json`]);
  });

  it('keeps counts and finished minutes right as they change between calls (its caches follow the files)', async () => {
    const finish = async () => {
      const job = queuedJob();
      await store.create(job);
      await store.transition(job.id, 'running', { attempts: 1, startedAt: new Date().toISOString() });
      await store.transition(job.id, 'succeeded', { finishedAt: new Date().toISOString() });
    };
    const finished = async (s: JobStore) =>
      (await s.finishedByMinute(Date.now() - 60_000)).reduce((sum, m) => sum + m.finished, 0);
    await finish();
    await new Promise((resolve) => setTimeout(resolve, 150)); // let the directories go quiet
    expect((await store.countByStatus()).succeeded).toBe(1);
    expect(await finished(store)).toBe(1);
    await finish();
    expect((await store.countByStatus()).succeeded).toBe(2);
    expect(await finished(store)).toBe(2);
    // A second store on the same directory (another worker) sees the same.
    expect((await open().countByStatus()).succeeded).toBe(2);
  });

  it('tells every subscriber which job finished, whichever store instance finished it', async () => {
    const job = queuedJob();
    await store.create(job);
    const seen: string[] = [];
    const unsubscribe = store.onFinished((id) => seen.push(id));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const other = open();
    await other.transition(job.id, 'running', { attempts: 1 });
    await other.transition(job.id, 'failed', { finishedAt: new Date().toISOString() });
    const deadline = Date.now() + 3000;
    while (!seen.includes(job.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(seen).toContain(job.id);
  });
});
