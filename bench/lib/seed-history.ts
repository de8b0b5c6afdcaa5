import path from 'node:path';
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Database from 'libsql';
import { newJobId } from '../../lib/jobs/job-id';
import type { JobRecord } from '../../lib/jobs/job-record';
import { countsKey, itemOfJob } from '../../lib/store/dynamodb-items';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';

/** Job i of a history: a finished `echo` job that ended at `atMs`. */
function finishedEcho(atMs: number): JobRecord {
  const iso = new Date(atMs).toISOString();
  return {
    id: newJobId(atMs),
    task: 'echo',
    input: { text: 'bench' },
    status: 'succeeded',
    attempts: 1,
    queuedAt: iso,
    startedAt: iso,
    finishedAt: iso,
    waitMs: 5,
    runMs: 3,
    exitCode: 0,
    output: { stdout: 'bench\n', stderr: '', truncated: false },
    usage: { cpuMs: 2, peakMemoryBytes: 700_000, processes: 1, scope: 'job' },
  } as JobRecord;
}

/**
 * Writes `count` finished `echo` jobs straight into a SQLite job store's database, as many finished
 * jobs would leave it (their records and the counts of final statuses), in transactions of 10,000:
 * a history of a million jobs in tens of seconds, where the store's own transitions take many
 * minutes. Job i finished at `firstAtMs + i * stepMs`. The database may be open in a running stack
 * (WAL: its readers go on; its writers wait out one transaction at most). Answers a sample of the
 * ids written (every 997th), for reads by id.
 */
export async function seedHistory(
  jobStoreDir: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
): Promise<string[]> {
  const made = createSqliteJobStore({ dir: jobStoreDir });
  await made.probe(); // the schema is made (or migrated) on first use
  await made.close();
  const db = new Database(path.join(jobStoreDir, 'jobs.db'));
  db.exec('PRAGMA busy_timeout = 10000');
  const insert = db.prepare(
    'INSERT INTO jobs (id, status, attempts, next_attempt_at, record) VALUES (?, ?, ?, ?, ?)',
  );
  const count_ = db.prepare(
    "INSERT INTO finished_totals (name, value) VALUES ('final|succeeded', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10_000) {
    const end = Math.min(count, i + 10_000);
    db.exec('BEGIN IMMEDIATE');
    for (let k = i; k < end; k += 1) {
      const record = finishedEcho(firstAtMs + k * stepMs);
      const { id } = record;
      if (k % 997 === 0) ids.push(id);
      insert.run(id, 'succeeded', 1, null, JSON.stringify(record));
    }
    count_.run(end - i);
    db.exec('COMMIT');
  }
  db.close();
  return ids;
}

/**
 * The same history in a DynamoDB job table: the items as the store writes a finished job (its record
 * and the attributes its indexes read, TTL far ahead) in batches of 25, and the counters item's count
 * of them. Answers a sample of the ids written (every 997th).
 */
export async function seedDynamoDbHistory(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  TableName: string,
  { count, firstAtMs, stepMs }: { count: number; firstAtMs: number; stepMs: number },
): Promise<string[]> {
  const ids: string[] = [];
  const expiresAt = Math.floor(Date.now() / 1000) + 365 * 86_400;
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let k = 0; k < count; k += 1) {
    const record = finishedEcho(firstAtMs + k * stepMs);
    if (k % 997 === 0) ids.push(record.id);
    if (k % 25 === 0) batches.push([]);
    batches.at(-1)!.push({ PutRequest: { Item: itemOfJob(record, expiresAt) } });
  }
  // A few batches at once: dynalite answers each in turn anyway.
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (requests) => {
        let unprocessed: Array<Record<string, unknown>> | undefined = requests;
        while (unprocessed && unprocessed.length > 0) {
          const out = await client.send(
            new BatchWriteCommand({ RequestItems: { [TableName]: unprocessed } }),
          );
          unprocessed = out.UnprocessedItems?.[TableName] as Array<Record<string, unknown>> | undefined;
        }
      }),
    );
  }
  await client.send(
    new UpdateCommand({
      TableName,
      Key: countsKey,
      UpdateExpression: 'ADD succeeded :n, #t :n',
      ExpressionAttributeNames: { '#t': 'total|task|echo|succeeded' },
      ExpressionAttributeValues: { ':n': count },
    }),
  );
  return ids;
}
