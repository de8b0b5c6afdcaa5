import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGetJobHandler } from '../../lib/http/handlers/get-job';
import { createListJobsHandler } from '../../lib/http/handlers/list-jobs';
import { createSubmitJobHandler } from '../../lib/http/handlers/submit-job';
import { loadConfig } from '../../lib/config';
import { freePort } from '../../lib/local/ports';
import { createJobStore } from '../../lib/store/create-job-store';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';
import type { JobStore } from '../../lib/jobs/job-store';
import { apiEvent, bodyOf, context } from '../helpers/events';
import { queuedJob } from '../helpers/jobs';
import { unitServices } from '../helpers/services';

/**
 * Fault: the job store does not answer (DynamoDB unreachable; a SQLite file that cannot be opened).
 * Submits and reads answer 503 store_unavailable with Retry-After, in the error shape, and nothing is
 * sent to the queue.
 */
describe('a job store that does not answer', () => {
  async function expectUnavailable(broken: JobStore) {
    const { services, send, cleanup } = await unitServices();
    const withBroken = { ...services, store: broken };
    const submit = await createSubmitJobHandler(withBroken)(
      apiEvent({ method: 'POST', pathParameters: { task: 'echo' }, body: { input: { text: 'x' } } }),
      context,
    );
    const read = await createGetJobHandler(withBroken)(
      apiEvent({ pathParameters: { id: queuedJob().id } }),
      context,
    );
    const list = await createListJobsHandler(withBroken)(apiEvent(), context);
    for (const response of [submit, read, list]) {
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBe('5');
      expect(bodyOf(response)).toEqual({
        error: { code: 'store_unavailable', message: expect.stringMatching(/job store is not answering/) },
      });
    }
    const sent = send.mock.calls.filter(
      ([command]) => (command as object).constructor.name === 'SendMessageBatchCommand',
    );
    expect(sent).toHaveLength(0);
    await broken.close();
    await cleanup();
  }

  it('DynamoDB unreachable: 503 store_unavailable with Retry-After', async () => {
    const port = await freePort();
    const store = createJobStore(
      loadConfig({
        JOB_STORE: 'dynamodb',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
        JOB_TABLE_NAME: 'jobs',
      }),
    );
    await expectUnavailable(store);
  });

  it('a SQLite database that cannot be opened: 503 store_unavailable with Retry-After', async () => {
    const { services, cleanup } = await unitServices();
    // A database file that is a directory cannot be opened, even by root.
    const dir = path.join(services.config.jobStoreDir, 'unopenable');
    await writeFile(path.join(services.config.jobStoreDir, 'marker'), '');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'jobs.db'), { recursive: true });
    await expectUnavailable(createSqliteJobStore({ dir }));
    await cleanup();
  });
});
