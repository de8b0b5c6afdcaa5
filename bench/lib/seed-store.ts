import { createFileJobStore } from '../../lib/store/file-job-store';
import { newJobId } from '../../lib/jobs/job-id';

/**
 * Writes `count` finished `echo` jobs straight into a file job store, through the store's own
 * transitions (so indexes and finished-minute lines are as the consumer writes them): job i is
 * queued, started and finished at `firstAtMs + i * stepMs`. 100 at a time.
 */
export async function seedFinishedJobs(
  jobStoreDir: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
): Promise<void> {
  const store = createFileJobStore({ dir: jobStoreDir });
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
}
