import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';
import { newJobId } from '../../lib/jobs/job-id';

const execFileAsync = promisify(execFile);

/**
 * Writes `count` finished `echo` jobs straight into the SQLite job store, through the store's own
 * transitions (so indexes and finished-minute statistics are as the consumer writes them): job i is
 * queued, started and finished at `firstAtMs + i * stepMs`. 100 at a time.
 */
export async function seedFinishedJobs(
  jobStoreDir: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
): Promise<void> {
  const store = createSqliteJobStore({ dir: jobStoreDir });
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, async (_, k) => {
        const at = firstAtMs + (i + k) * stepMs;
        const id = newJobId(at);
        const iso = new Date(at).toISOString();
        await store.create({ id, task: 'echo', input: {}, status: 'queued', attempts: 0, queuedAt: iso });
        await store.transition(id, 'running', { attempts: 1, startedAt: iso, waitMs: 5 });
        await store.transition(id, 'succeeded', { finishedAt: iso, runMs: 3, exitCode: 0 });
      }),
    );
  }
  await store.close();
}

/**
 * {@link seedFinishedJobs} (or, `rows`, seedHistory) in a child process (bench/seed-store.ts), so
 * this one's heap stays as it was. Answers the sample of ids the rows seeder wrote.
 */
export async function seedFinishedJobsApart(
  jobStoreDir: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
  how: 'transitions' | 'rows' = 'transitions',
): Promise<string[]> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, '..', 'seed-store.ts'),
      jobStoreDir,
      String(count),
      String(firstAtMs),
      String(stepMs),
      how,
    ],
    { cwd: path.join(__dirname, '..', '..'), maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout || '[]') as string[];
}
