import path from 'node:path';
import Database from 'libsql';
import { createSqliteJobStore } from '../../../lib/store/sqlite-job-store';
import { queuedJob } from '../../helpers/jobs';
import { tempDir } from '../../helpers/temp-dir';

/** Frames in the database's write-ahead log (each commit appends the pages it changed, once). */
function walFrames(file: string): number {
  const db = new Database(file);
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    return row!.log;
  } finally {
    db.close();
  }
}

describe('the SQLite store: jobs submitted together', () => {
  it('are inserted in one transaction: all of them created, each page written once', async () => {
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    try {
      await store.probe(); // opens the database, so the log holds only what follows
      const file = path.join(dir, 'jobs.db');
      const before = walFrames(file);

      const jobs = Array.from({ length: 40 }, () => queuedJob());
      const results = await Promise.all(jobs.map((job) => store.create(job)));

      expect(results.every((r) => r.created)).toBe(true);
      await expect(Promise.all(jobs.map((job) => store.get(job.id)))).resolves.toEqual(jobs);
      // 40 commits would append at least 40 frames (the table's page and each index's, every time).
      expect(walFrames(file) - before).toBeLessThan(40);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('keep create-if-absent inside a batch: the same id twice is created once', async () => {
    const { dir, cleanup } = await tempDir();
    const store = createSqliteJobStore({ dir });
    try {
      const job = queuedJob();
      const results = await Promise.all([store.create(job), store.create({ ...job, task: 'other' })]);
      expect(results.map((r) => r.created)).toEqual([true, false]);
      expect(results[1]!.job).toEqual(job);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
