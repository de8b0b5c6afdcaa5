import type { JobRecord } from './job-record';
import { isFinal } from './job-record';
import type { JobStore } from './job-store';

/** API Gateway gives up at 29 s: a wait (`?wait=N` on submit and on GET) ends well before that. */
export const MAX_WAIT_SECONDS = 25;

/**
 * Reads `read()` until `done` says so or `timeoutMs` has passed; returns the last read. Between
 * reads it sleeps `pollMs`, and wakes at once when the store reports job `id` finished, so a waiter
 * costs no reads while it waits for a finish (the shared mechanism of every `?wait`).
 */
export async function waitFor<T>(
  store: Pick<JobStore, 'onFinished'>,
  id: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  pollMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let wake = () => undefined as void;
  const unsubscribe = store.onFinished((finished) => finished === id && wake());
  try {
    // Read after subscribing: a finish in between is either in this read or in a notification.
    let value = await read();
    while (!done(value) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now())));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      value = await read();
    }
    return value;
  } finally {
    unsubscribe();
  }
}

/**
 * Waits until the job is finished or `timeoutMs` has passed; returns the latest record. It is woken
 * when the store reports the job finished, and re-reads only every `fallbackMs` in case a
 * notification was missed.
 */
export function waitForJob(
  store: Pick<JobStore, 'get' | 'onFinished'>,
  id: string,
  timeoutMs: number,
  fallbackMs = 500,
): Promise<JobRecord | undefined> {
  return waitFor(
    store,
    id,
    () => store.get(id),
    (job) => !job || isFinal(job.status),
    timeoutMs,
    fallbackMs,
  );
}
