import path from 'node:path';
import Database from 'libsql';
import { newJobId } from '../../lib/jobs/job-id';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';

/**
 * Writes `count` finished `echo` jobs straight into a SQLite job store's database, as many finished
 * jobs would leave it (their records and the counts of final statuses), in transactions of 10,000:
 * a history of a million jobs in tens of seconds, where the store's own transitions take many
 * minutes. Job i finished at `firstAtMs + i * stepMs`. The database may be open in a running stack
 * (WAL: its readers go on; its writers wait out one transaction at most). Answers a sample of the
 * ids written (every 997th), for reads by id.
 */
export async function seedHistory(
  jobStoreDir: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
): Promise<string[]> {
  const made = createSqliteJobStore({ dir: jobStoreDir });
  await made.probe(); // the schema is made (or migrated) on first use
  await made.close();
  const db = new Database(path.join(jobStoreDir, 'jobs.db'));
  db.exec('PRAGMA busy_timeout = 10000');
  const insert = db.prepare(
    'INSERT INTO jobs (id, status, attempts, next_attempt_at, record) VALUES (?, ?, ?, ?, ?)',
  );
  const count_ = db.prepare(
    "INSERT INTO finished_totals (name, value) VALUES ('final|succeeded', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10_000) {
    const end = Math.min(count, i + 10_000);
    db.exec('BEGIN IMMEDIATE');
    for (let k = i; k < end; k += 1) {
      const at = firstAtMs + k * stepMs;
      const id = newJobId(at);
      if (k % 997 === 0) ids.push(id);
      const iso = new Date(at).toISOString();
      const record = {
        id,
        task: 'echo',
        input: { text: 'bench' },
        status: 'succeeded',
        attempts: 1,
        queuedAt: iso,
        startedAt: iso,
        finishedAt: iso,
        waitMs: 5,
        runMs: 3,
        exitCode: 0,
        output: { stdout: 'bench\n', stderr: '', truncated: false },
        usage: { cpuMs: 2, peakMemoryBytes: 700_000, processes: 1, scope: 'job' },
      };
      insert.run(id, 'succeeded', 1, null, JSON.stringify(record));
    }
    count_.run(end - i);
    db.exec('COMMIT');
  }
  db.close();
  return ids;
}
