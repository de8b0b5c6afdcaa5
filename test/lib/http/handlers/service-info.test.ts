import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSqliteJobStore } from '../../../../lib/store/sqlite-job-store';
import { createHealthHandler } from '../../../../lib/http/handlers/health';
import { createListTasksHandler } from '../../../../lib/http/handlers/list-tasks';
import { createSystemInfoHandler } from '../../../../lib/http/handlers/system-info';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { createSubmitJobHandler } from '../../../../lib/http/handlers/submit-job';
import { createCatalogue } from '../../../../lib/tasks/catalogue';
import { unitServices } from '../../../helpers/services';

describe('GET /api/health', () => {
  it('is 200 after really asking SQS and writing to the store', async () => {
    const { services, send, cleanup } = await unitServices();
    const response = await createHealthHandler(services)(apiEvent(), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ sqs: 'ok', store: 'ok' });
    expect(send.mock.calls[0]?.[0]).toBeInstanceOf(GetQueueAttributesCommand);
    await cleanup();
  });

  it('is 503 naming SQS when the queue does not answer, without the AWS error', async () => {
    const { services, send, cleanup } = await unitServices();
    send.mockRejectedValue(new Error('getaddrinfo ENOTFOUND sqs.internal'));
    const response = await createHealthHandler(services)(apiEvent(), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toEqual({
      sqs: 'error',
      store: 'ok',
      error: { code: 'unhealthy', message: 'sqs not answering' },
    });
    await cleanup();
  });

  it('is 503 naming the store when it cannot be written', async () => {
    const { services, cleanup } = await unitServices();
    // A store directory below a regular file cannot be created, even by root.
    const file = path.join(services.config.jobStoreDir, 'not-a-dir');
    await writeFile(file, '');
    const broken = { ...services, store: createSqliteJobStore({ dir: path.join(file, 'store') }) };
    const response = await createHealthHandler(broken)(apiEvent(), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({
      sqs: 'ok',
      store: 'error',
      error: { code: 'unhealthy', message: 'store not answering' },
    });
    await cleanup();
  });
});

describe('GET /api/system-info', () => {
  it('reports runtime, memory, load and settings, and never credentials', async () => {
    const { services, cleanup } = await unitServices();
    process.env.AWS_SECRET_ACCESS_KEY = 'do-not-show-me';
    const response = await createSystemInfoHandler(services)(apiEvent(), context);
    delete process.env.AWS_SECRET_ACCESS_KEY;
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({
      service: 'spawn-queue',
      runtime: { node: process.version },
      settings: { consumerConcurrency: 4, maxReceiveCount: 10 },
    });
    expect(response.body).not.toContain('do-not-show-me');
    await cleanup();
  });
});

describe('GET /api/tasks', () => {
  it('lists the catalogue with input schemas and timeouts', async () => {
    const { services, cleanup } = await unitServices();
    const body = bodyOf(await createListTasksHandler(services)(apiEvent(), context));
    expect(body.tasks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'sleep',
          timeoutSeconds: 610,
          input: expect.objectContaining({ type: 'object' }),
          available: true,
        }),
      ]),
    );
    await cleanup();
  });

  it('lists a task whose command this runtime lacks as unavailable, and its submits answer 503 task_unavailable', async () => {
    const { services, send, cleanup } = await unitServices();
    const echo = services.catalogue.get('echo')!;
    const catalogue = createCatalogue({
      missing: {
        description: 'needs a tool this runtime does not have',
        command: 'no-such-program-here',
        input: echo.inputSchema,
        timeoutSeconds: 10,
        maxOutputBytes: 1024,
      },
    });
    const body = bodyOf(await createListTasksHandler({ ...services, catalogue })(apiEvent(), context));
    expect(body.tasks).toEqual([
      expect.objectContaining({
        name: 'missing',
        available: false,
        unavailableReason: '"no-such-program-here" is not an executable on this runtime',
      }),
    ]);
    const response = await createSubmitJobHandler({ ...services, catalogue })(
      apiEvent({ method: 'POST', pathParameters: { task: 'missing' }, body: { input: { text: 'x' } } }),
      context,
    );
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'task_unavailable' } });
    expect(send).not.toHaveBeenCalled();
    await expect(services.store.list()).resolves.toEqual({ jobs: [] });
    await cleanup();
  });
});
