import type { JobRecord } from './job-record';
import { isFinal } from './job-record';
import type { JobStore } from '../store/job-store';

/** API Gateway gives up at 29 s: a wait (`?wait=N` on submit and on GET) ends well before that. */
export const MAX_WAIT_SECONDS = 25;

/**
 * Waits until the job is finished or `timeoutMs` has passed; returns the latest record. A waiter
 * costs nothing while it waits: it is woken when the store reports the job finished, and re-reads
 * only every `fallbackMs` in case a notification was missed.
 */
export async function waitForJob(
  store: Pick<JobStore, 'get' | 'onFinished'>,
  id: string,
  timeoutMs: number,
  fallbackMs = 500,
): Promise<JobRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  let wake = () => undefined as void;
  const unsubscribe = store.onFinished((finished) => finished === id && wake());
  try {
    // Read after subscribing: a finish in between is either in this read or in a notification.
    let job = await store.get(id);
    while (job && !isFinal(job.status) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(fallbackMs, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      job = await store.get(id);
    }
    return job;
  } finally {
    unsubscribe();
  }
}
