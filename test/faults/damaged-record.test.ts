import path from 'node:path';
import Database from 'libsql';
import { createGetJobHandler } from '../../lib/http/handlers/get-job';
import { createListJobsHandler } from '../../lib/http/handlers/list-jobs';
import { createQueueStatsHandler } from '../../lib/http/handlers/queue-stats';
import { apiEvent, bodyOf, context } from '../helpers/events';
import { newJobId } from '../../lib/jobs/job-id';
import { queuedJob } from '../helpers/jobs';
import { unitServices } from '../helpers/services';

/** Fault: one job's record in the SQLite store is damaged (a disk fault, a hand edit). */
describe('a damaged job record', () => {
  it('reads as an error naming that job, while lists and stats keep working', async () => {
    const { services, send, cleanup } = await unitServices();
    send.mockResolvedValue({ Attributes: { ApproximateNumberOfMessages: '0' } });
    const good = queuedJob();
    // Older than the good one: the last record of the page, whose id is the page's cursor.
    const damaged = queuedJob({ id: newJobId(Date.now() - 1000) });
    await services.store.create(good);
    await services.store.create(damaged);
    const db = new Database(path.join(services.config.jobStoreDir, 'jobs.db'));
    db.prepare('UPDATE jobs SET record = ? WHERE id = ?').run('{"id": "trunc', damaged.id);
    // A final one too: no index on the records refuses the damage, or hides the good ones.
    const ended = queuedJob({ id: newJobId(Date.now() - 2000) });
    await services.store.create(ended);
    await services.store.transition(ended.id, 'cancelled');
    db.prepare('UPDATE jobs SET record = ? WHERE id = ?').run('{"id": "trunc', ended.id);
    db.close();
    const pending: string[] = [];
    for await (const job of services.store.pendingCallbacks()) pending.push(job.id);
    expect(pending).toEqual([]);

    const read = await createGetJobHandler(services)(
      apiEvent({ pathParameters: { id: damaged.id } }),
      context,
    );
    expect(read.statusCode).toBe(500);
    expect(bodyOf(read)).toEqual({
      error: { code: 'job_unreadable', message: expect.stringContaining(damaged.id) },
    });

    const list = await createListJobsHandler(services)(apiEvent(), context);
    expect(list.statusCode).toBe(200);
    expect((bodyOf(list).jobs as Array<{ jobId: string }>).map((j) => j.jobId)).toEqual([good.id]);

    const stats = await createQueueStatsHandler(services)(apiEvent(), context);
    expect(stats.statusCode).toBe(200);
    expect(bodyOf(stats)).toMatchObject({ jobs: { queued: 2 } });
    await cleanup();
  });
});
