import type { Eta } from './eta';
import type { JobRecord } from './job-record';

/** A job as the API shows it; `eta` for a waiting job (lib/jobs/eta.ts), null otherwise. */
export function jobView(job: JobRecord, eta?: Eta) {
  return {
    jobId: job.id,
    task: job.task,
    status: job.status,
    attempts: job.attempts,
    input: job.input,
    concurrencyKey: job.concurrencyKey ?? null,
    scheduleId: job.scheduleId ?? null,
    scheduledFor: job.scheduledFor ?? null,
    exitCode: job.exitCode ?? null,
    signal: job.signal ?? null,
    stdout: job.output?.stdout ?? '',
    stderr: job.output?.stderr ?? '',
    truncated: job.output?.truncated ?? false,
    error: job.error ?? null,
    nextAttemptAt: job.nextAttemptAt ?? null,
    runAt: job.runAt ?? null,
    startBy: job.startBy ?? null,
    deadline: job.deadline ?? null,
    eta: eta ?? null,
    callback: job.callback
      ? {
          url: job.callback.url,
          status: job.callback.status,
          attempts: job.callback.attempts,
          lastError: job.callback.lastError,
        }
      : null,
    attemptHistory: job.attemptHistory ?? [],
    queuedAt: job.queuedAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    waitMs: job.waitMs ?? null,
    runMs: job.runMs ?? null,
    usage: job.usage ?? null,
    limits: job.limits ?? null,
    links: jobLinks(job.id),
  };
}

export function jobLinks(id: string) {
  return { self: `/api/jobs/${id}`, cancel: `/api/jobs/${id}`, retry: `/api/jobs/${id}/retry` };
}
