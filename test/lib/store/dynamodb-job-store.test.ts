import { InvalidTransitionError } from '../../../lib/jobs/job-errors';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../../../lib/config';
import { createDynamoDbClient } from '../../../lib/store/create-job-store';
import {
  createDynamoDbJobStore,
  fitItemLimit,
  MAX_RECORD_BYTES,
} from '../../../lib/store/dynamodb-job-store';
import { queuedJob } from '../../helpers/jobs';
import { testStore } from '../../helpers/job-stores';
import type { TestStore } from '../../helpers/job-stores';

/** What only the DynamoDB adapter does; the shared behaviour is in job-store.contract.test.ts. */
describe('DynamoDB job store', () => {
  let subject: TestStore;
  beforeEach(async () => {
    subject = await testStore('dynamodb');
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('gives a finished job an expiry (TTL) of JOB_RETENTION_DAYS, and none before', async () => {
    const { store, env } = subject;
    const job = queuedJob();
    await store.create(job);
    const client = createDynamoDbClient(loadConfig(env));
    const item = async () =>
      (
        await client.send(
          new GetCommand({ TableName: env.JOB_TABLE_NAME, Key: { pk: `job#${job.id}`, sk: 'job' } }),
        )
      ).Item!;
    expect((await item()).expiresAt).toBeUndefined();
    await store.transition(job.id, 'cancelled');
    const days = ((await item()).expiresAt as number) - Date.now() / 1000;
    expect(days / 86_400).toBeCloseTo(30, 1);
    client.destroy();
  });

  it("does not write over a stored status that is no longer the caller's copy (`from`): it reads and checks again", async () => {
    const { store } = subject;
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'cancelled');
    // A copy from before the cancel: the conditional write fails, the stored record decides.
    await expect(store.transition(job.id, 'running', { attempts: 1 }, { from: job })).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    await expect(store.get(job.id)).resolves.toMatchObject({ status: 'cancelled', attempts: 0 });
  });

  it('stores a finish whose output would pass the item limit, cut and marked truncated', async () => {
    // Control characters: JSON escapes each as six bytes.
    const stdout = '\u0001'.repeat(120_000);
    const record = {
      ...queuedJob(),
      status: 'succeeded' as const,
      output: { stdout, stderr: 'e', truncated: false },
    };
    const fitted = fitItemLimit(record);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(fitted.output).toMatchObject({ truncated: true });
    expect(fitted.output!.stdout.length).toBeGreaterThan(10_000);

    const { store } = subject;
    const job = queuedJob();
    await store.create(job);
    await store.transition(job.id, 'running', { attempts: 1 });
    await store.transition(job.id, 'succeeded', { output: record.output });
    await expect(store.get(job.id)).resolves.toMatchObject({
      status: 'succeeded',
      output: { truncated: true },
    });
  });

  it('reads the counters item once for the counts and the totals asked for together (GET /api/metrics)', async () => {
    const { env } = subject;
    const client = createDynamoDbClient(loadConfig(env));
    const send = jest.spyOn(client, 'send');
    const store = createDynamoDbJobStore({ client, tableName: env.JOB_TABLE_NAME! });
    try {
      const job = queuedJob();
      await store.create(job);
      await store.transition(job.id, 'cancelled');
      send.mockClear();

      const [counts, totals] = await Promise.all([store.countByStatus(), store.finishedTotals()]);

      const countsReads = send.mock.calls.filter(
        ([command]) => command instanceof GetCommand && command.input.Key?.pk === 'counts',
      );
      expect(countsReads).toHaveLength(1);
      expect(counts.cancelled).toBe(1);
      expect(totals.byTask).toEqual([{ task: 'echo', status: 'cancelled', count: 1 }]);
    } finally {
      send.mockRestore();
      client.destroy();
    }
  });

  it('leaves a small record as it is', () => {
    const record = queuedJob();
    expect(fitItemLimit(record)).toBe(record);
  });
});
