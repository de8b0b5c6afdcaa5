import { InvalidTransitionError } from '../../../lib/jobs/job-errors';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OWED_GRACE_MS } from '../../../lib/store/dynamodb-counts';
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

  describe('the final counts, once per change without a transaction', () => {
    /** The store's calls, where `lose` says which answer is lost: after the call was made, or before. */
    function losingAnswers(
      client: DynamoDBDocumentClient,
      lose: (command: unknown) => 'before' | 'after' | undefined,
    ) {
      const real = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      return jest.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
        const when = lose(command);
        if (when === 'before') throw new Error('the connection dropped before the call');
        const answer = await real(command);
        if (when === 'after') throw new Error('the connection dropped before the answer');
        return answer;
      }) as never);
    }
    const updatesOf = (pk: string) => (command: unknown) =>
      command instanceof UpdateCommand && (command.input.Key?.pk as string).startsWith(pk);
    const later = (ms: number) => jest.spyOn(Date, 'now').mockReturnValue(Date.now() + ms);

    /**
     * A store whose first write to the counters item fails (`before` it is made, or its answer is
     * lost `after`), and a job cancelled through it: the change that owes the counters one.
     */
    async function cancelledWhileCountsFail(
      when: 'before' | 'after',
      test: (
        store: ReturnType<typeof createDynamoDbJobStore>,
        item: (id: string) => Promise<Record<string, unknown>>,
        job: ReturnType<typeof queuedJob>,
      ) => Promise<void>,
    ) {
      const { env } = subject;
      const client = createDynamoDbClient(loadConfig(env));
      const TableName = env.JOB_TABLE_NAME!;
      const store = createDynamoDbJobStore({ client, tableName: TableName });
      let failures = 1;
      const send = losingAnswers(client, (command) =>
        updatesOf('counts')(command) && failures-- > 0 ? when : undefined,
      );
      const item = async (id: string) =>
        (
          await client.send(
            new GetCommand({ TableName, Key: { pk: id, sk: id === 'counts' ? 'final' : 'job' } }),
          )
        ).Item ?? {};
      try {
        const job = queuedJob();
        await store.create(job);
        await store.transition(job.id, 'cancelled');
        await test(store, item, job);
      } finally {
        jest.restoreAllMocks();
        send.mockRestore();
        client.destroy();
      }
    }
    const hasFlags = async (item: (id: string) => Promise<Record<string, unknown>>) =>
      Object.keys(await item('counts')).some((name) => name.startsWith('applied|'));

    it('counts a finish whose counters write failed once, when the reconciler settles it past the grace', async () => {
      await cancelledWhileCountsFail('before', async (store, item, job) => {
        expect((await store.countByStatus()).cancelled).toBe(0);
        expect(await item(`job#${job.id}`)).toMatchObject({ owes: 'counts' });
        // Young: its writer's to settle, not the reconciler's.
        await expect(store.settleCounts()).resolves.toEqual({ counted: 0, settled: 0 });

        later(OWED_GRACE_MS + 1_000);
        await expect(store.settleCounts()).resolves.toEqual({ counted: 1, settled: 1 });
        await expect(store.settleCounts()).resolves.toEqual({ counted: 0, settled: 0 });
        expect((await store.countByStatus()).cancelled).toBe(1);
        expect((await store.finishedTotals()).byTask).toEqual([
          { task: 'echo', status: 'cancelled', count: 1 },
        ]);
        expect(await item(`job#${job.id}`)).not.toHaveProperty('owes');
      });
    });

    it('never counts twice: a counted change whose answer was lost is settled without a second count, and its flag goes', async () => {
      await cancelledWhileCountsFail('after', async (store, item) => {
        expect((await store.countByStatus()).cancelled).toBe(1);
        later(OWED_GRACE_MS + 1_000);
        await expect(store.settleCounts()).resolves.toEqual({ counted: 0, settled: 1 });
        expect((await store.countByStatus()).cancelled).toBe(1);
        await expect(hasFlags(item)).resolves.toBe(true);
        jest.restoreAllMocks();
        later(2 * OWED_GRACE_MS + 1_000);
        await store.settleCounts();
        await expect(hasFlags(item)).resolves.toBe(false);
      });
    });

    it('two reconcilers settling at once count an owed change once', async () => {
      await cancelledWhileCountsFail('before', async (store) => {
        const other = subject.open();
        later(OWED_GRACE_MS + 1_000);
        const [a, b] = await Promise.all([store.settleCounts(), other.settleCounts()]);
        expect(a.counted + b.counted).toBe(1);
        expect((await store.countByStatus()).cancelled).toBe(1);
      });
    });

    it('a retry of a finished job that still owes its count keeps it: the owed count is settled first', async () => {
      await cancelledWhileCountsFail('before', async (store, item, job) => {
        later(OWED_GRACE_MS + 1_000);
        // A retry on demand takes the job back out of its final count.
        await store.transition(job.id, 'queued');
        jest.restoreAllMocks();
        expect((await store.countByStatus()).cancelled).toBe(0);
        expect(await item(`job#${job.id}`)).not.toHaveProperty('owes');
        await store.transition(job.id, 'cancelled');
        expect((await store.countByStatus()).cancelled).toBe(1);
      });
    });
  });

  it('leaves a small record as it is', () => {
    const record = queuedJob();
    expect(fitItemLimit(record)).toBe(record);
  });
});
