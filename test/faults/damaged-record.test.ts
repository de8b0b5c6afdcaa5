import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGetJobHandler } from '../../handlers/http/get-job';
import { createListJobsHandler } from '../../handlers/http/list-jobs';
import { createQueueStatsHandler } from '../../handlers/http/queue-stats';
import { apiEvent, bodyOf, context } from '../helpers/events';
import { queuedJob } from '../helpers/jobs';
import { unitServices } from '../helpers/services';

/** Fault: one record file of the file store is damaged (a disk fault, a hand edit). */
describe('a damaged job record', () => {
  it('reads as an error naming that job, while lists and stats keep working', async () => {
    const { services, send, cleanup } = await unitServices();
    send.mockResolvedValue({ Attributes: { ApproximateNumberOfMessages: '0' } });
    const good = queuedJob();
    const damaged = queuedJob();
    await services.store.create(good);
    await services.store.create(damaged);
    await writeFile(path.join(services.config.jobStoreDir, 'jobs', `${damaged.id}.json`), '{"id": "trunc');

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
