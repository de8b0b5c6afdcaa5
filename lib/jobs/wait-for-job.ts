import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord } from './job-record';
import { isFinal } from './job-record';
import type { JobStore } from './job-store';

/** Polls the store until the job is finished or `timeoutMs` has passed; returns the latest record. */
export async function waitForJob(
  store: Pick<JobStore, 'get'>,
  id: string,
  timeoutMs: number,
  pollMs = 100,
): Promise<JobRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  let job = await store.get(id);
  while (job && !isFinal(job.status) && Date.now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    job = await store.get(id);
  }
  return job;
}
