import type { JobQueue } from '../queue/job-queue';
import type { JobStore } from '../store/job-store';
import type { JobRecord } from './job-record';
import { secondsUntilDue } from './job-lifecycle';

/** Since when a waiting job has waited for a delivery: its retry's time, its own time, or its submit. */
function waitingSince(job: JobRecord): number {
  return Date.parse(job.nextAttemptAt ?? job.runAt ?? job.queuedAt);
}

/**
 * Finds the jobs the queue has lost and sends them again. A broker that loses messages (a purge, a
 * message that expired, a restart without persistence) leaves their records `queued` or `scheduled`
 * with nothing to deliver them. The check is cheap: when the jobs queue holds at least as many
 * messages (waiting, in flight, delayed) as the store has unfinished jobs, nothing is lost and
 * nothing is read. When it holds fewer, every job that has waited longer than `graceMs` is sent
 * again: a job whose message still exists then gets two, and the consumer runs it once (its
 * attempt's claim fences a second delivery, a finished job's is dropped). Returns how many were sent.
 */
export async function reconcileQueue(
  {
    store,
    queue,
  }: { store: Pick<JobStore, 'countByStatus' | 'list'>; queue: Pick<JobQueue, 'depth' | 'send'> },
  { graceMs = 60_000, now = Date.now() }: { graceMs?: number; now?: number } = {},
): Promise<number> {
  const [depth, counts] = await Promise.all([queue.depth(), store.countByStatus()]);
  const messages = depth.visible + depth.inFlight + depth.delayed;
  if (messages >= counts.queued + counts.scheduled + counts.running) return 0;
  let sent = 0;
  for (const status of ['queued', 'scheduled'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.list({ status, limit: 100, cursor });
      for (const job of page.jobs) {
        if (now - waitingSince(job) < graceMs) continue;
        await queue.send(
          { task: job.task, input: job.input, jobId: job.id },
          { delaySeconds: secondsUntilDue(job, now) },
        );
        sent += 1;
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return sent;
}
