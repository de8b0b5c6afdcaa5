import path from 'node:path';
import Database from 'libsql';
import { createSqliteJobStore, MIGRATIONS, SCHEMA_VERSION } from '../../../lib/store/sqlite-job-store';
import { queuedJob } from '../../helpers/jobs';
import { tempDir } from '../../helpers/temp-dir';

describe('the SQLite store schema', () => {
  it('opens a database made by an earlier version: migrates it step by step and keeps its jobs', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      // A database as version 1 of the schema left it, with one job in it, an ended one whose
      // callback was still to deliver, and a damaged ended one (an index over records must not
      // stop the migration).
      const job = queuedJob();
      const ended = queuedJob({
        status: 'succeeded',
        callback: { url: 'https://example.com/hook', status: 'pending', attempts: 1, lastError: 'boom' },
      });
      const damaged = queuedJob({ status: 'failed' });
      const old = new Database(path.join(dir, 'jobs.db'));
      old.exec(MIGRATIONS[1]!);
      old.exec('PRAGMA user_version = 1');
      const insert = old.prepare(
        'INSERT INTO jobs (id, status, attempts, next_attempt_at, record) VALUES (?, ?, ?, ?, ?)',
      );
      insert.run(job.id, job.status, job.attempts, null, JSON.stringify(job));
      insert.run(ended.id, ended.status, ended.attempts, null, JSON.stringify(ended));
      insert.run(damaged.id, damaged.status, damaged.attempts, null, '{"id": "trunc');
      old.close();

      const store = createSqliteJobStore({ dir });
      try {
        await expect(store.get(job.id)).resolves.toEqual(job);
        // What the later versions added works on it.
        await store.appendOutput(job.id, 1, { stream: 'stdout', offset: 0, data: 'hi\n' });
        await expect(store.readOutput(job.id, 1, 'stdout', 0)).resolves.toHaveLength(1);
        const pending: string[] = [];
        for await (const found of store.pendingCallbacks()) pending.push(found.id);
        expect(pending).toEqual([ended.id]);
        // The final statuses' counters are seeded from the rows the database had.
        await expect(store.countByStatus()).resolves.toMatchObject({ queued: 1, succeeded: 1, failed: 1 });
      } finally {
        await store.close();
      }
      const reopened = new Database(path.join(dir, 'jobs.db'));
      expect((reopened.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(
        SCHEMA_VERSION,
      );
      reopened.close();
    } finally {
      await cleanup();
    }
  });
});
