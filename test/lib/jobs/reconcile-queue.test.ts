import { reconcileQueue } from '../../../lib/jobs/reconcile-queue';
import type { JobRecord } from '../../../lib/jobs/job-record';
import type { QueueDepth } from '../../../lib/queue/job-queue';
import type { ListQuery } from '../../../lib/jobs/job-store';
import { queuedJob } from '../../helpers/jobs';

/** The lost-message check, against a store and a queue that say what is there. */
function subject(jobs: JobRecord[], depth: Partial<QueueDepth>) {
  const sent: Array<{ jobId?: string; delaySeconds?: number }> = [];
  const counts = {
    scheduled: 0,
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    timed_out: 0,
    cancelled: 0,
    expired: 0,
  };
  for (const job of jobs) counts[job.status] += 1;
  return {
    sent,
    deps: {
      store: {
        claim: async () => true,
        transition: async () => {
          throw new Error('not expected');
        },
        setCallback: async () => undefined,
        countByStatus: async () => counts,
        list: async (query: ListQuery = {}) => ({ jobs: jobs.filter((j) => j.status === query.status) }),
      },
      queue: {
        depth: async () => ({ visible: 0, inFlight: 0, delayed: 0, deadLetter: 0, ...depth }),
        deadLetteredJobIds: async () => new Set<string>(),
        send: async (message: { jobId?: string }, options: { delaySeconds?: number } = {}) => {
          sent.push({ jobId: message.jobId, delaySeconds: options.delaySeconds });
        },
      },
    },
  };
}

describe('reconcileQueue: jobs whose message the queue lost', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();

  it('reads nothing and sends nothing while the queue holds a message for every waiting job', async () => {
    const { deps, sent } = subject([queuedJob({ queuedAt: ago(600_000) })], { visible: 1 });
    await expect(reconcileQueue(deps, { now })).resolves.toEqual({ sent: 0, deadLettered: 0 });
    expect(sent).toEqual([]);
  });

  it('sends again the jobs that waited past the grace when messages are missing, a delayed one with its delay', async () => {
    const stranded = queuedJob({ queuedAt: ago(120_000) });
    const fresh = queuedJob({ queuedAt: ago(5_000) });
    const retrying = queuedJob({
      queuedAt: ago(600_000),
      nextAttemptAt: new Date(now + 30_000).toISOString(),
    });
    const later = queuedJob({ status: 'scheduled', queuedAt: ago(600_000), runAt: ago(61_000) });
    const { deps, sent } = subject([stranded, fresh, retrying, later], { visible: 1 });
    await expect(reconcileQueue(deps, { now, graceMs: 60_000 })).resolves.toEqual({
      sent: 2,
      deadLettered: 0,
    });
    expect(sent).toEqual([
      { jobId: stranded.id, delaySeconds: 0 },
      { jobId: later.id, delaySeconds: 0 },
    ]);
  });
});
