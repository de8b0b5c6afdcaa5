/**
 * `npm run bench:history`: the SQLite job store's reads at 10,000 and at 1,000,000 stored jobs, and
 * the DynamoDB job store's on dynalite (in memory) at 10,000 and 100,000 (what it holds in seconds;
 * BENCH_HISTORY_DYNAMODB_SIZES), side by side: the counts queue-stats and metrics read, the first
 * page of the list, a job by id, the all-time totals, the reconciler's pass over owed counts, and
 * (SQLite) one retention batch (how long it holds the write lock). The finished jobs are
 * written straight into the database, as many finished `echo` jobs would leave it (records,
 * counters), in transactions of 10,000: the point is what a read costs over a long history, not how
 * the history was made. Median of 200 calls each (50 for retention; 20 for the count by a scan of
 * every row, as queue-stats counted before). Prints a table and the ratios.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { newJobId } from '../lib/jobs/job-id';
import type { JobStore } from '../lib/jobs/job-store';
import { startDynalite, ensureJobTable, localDynamoDbClient } from '../lib/local/dynalite';
import { freePort } from '../lib/local/ports';
import { createDynamoDbJobStore } from '../lib/store/dynamodb-job-store';
import { createSqliteJobStore } from '../lib/store/sqlite-job-store';
import { seedDynamoDbHistory, seedHistory } from './lib/seed-history';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { median, printTable } from './lib/stats';

const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '10000,1000000').split(',').map(Number);
const DYNAMODB_SIZES = (process.env.BENCH_HISTORY_DYNAMODB_SIZES ?? '10000,100000').split(',').map(Number);
const STORES = (process.env.BENCH_HISTORY_STORES ?? 'sqlite,dynamodb').split(',');
const CALLS = 200;

async function timed(calls: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** 50 waiting jobs: what the queued list and the counts of live jobs find. */
async function addWaiting(store: JobStore): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    await store.create({
      id: newJobId(),
      task: 'echo',
      input: {},
      status: 'queued',
      attempts: 0,
      queuedAt: new Date().toISOString(),
    });
  }
}

/** The reads queue-stats, metrics, the list and a job's page make, median ms of CALLS each. */
async function reads(store: JobStore, ids: string[]) {
  let next = 0;
  return {
    countsMs: (await timed(CALLS, () => store.countByStatus())).toFixed(3),
    listMs: (await timed(CALLS, () => store.list({ limit: 20 }))).toFixed(3),
    listQueuedMs: (await timed(CALLS, () => store.list({ status: 'queued', limit: 20 }))).toFixed(3),
    getMs: (await timed(CALLS, () => store.get(ids[(next += 1) % ids.length]!))).toFixed(3),
    totalsMs: (await timed(CALLS, () => store.finishedTotals())).toFixed(3),
    // The reconciler's pass over the changes owed to the counts (none: what it costs every minute).
    settleCountsMs: (await timed(50, () => store.settleCounts())).toFixed(3),
  };
}

/** The DynamoDB store on a fresh in-memory dynalite holding `size` finished jobs. */
async function measureDynamoDb(size: number) {
  const port = await freePort();
  const dynalite = await startDynalite({ projectDir: path.resolve(__dirname, '..'), port });
  const client = localDynamoDbClient(dynalite.endpoint);
  try {
    const TableName = 'jobs';
    await ensureJobTable(client, TableName);
    const documents = DynamoDBDocumentClient.from(client);
    const ids = await seedDynamoDbHistory(documents, TableName, {
      count: size,
      firstAtMs: Date.now() - 60 * 86_400_000,
      stepMs: 1000,
    });
    const store = createDynamoDbJobStore({ client: documents, tableName: TableName });
    await addWaiting(store);
    const row = { store: 'dynamodb', stored: size.toLocaleString('en'), ...(await reads(store, ids)) };
    await store.close();
    return row;
  } finally {
    client.destroy();
    await dynalite.stop();
  }
}

async function measure(size: number) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spawn-queue-history-'));
  try {
    const ids = await seedHistory(dir, {
      count: size,
      firstAtMs: Date.now() - 60 * 86_400_000,
      stepMs: 1000,
    });
    const db = new Database(path.join(dir, 'jobs.db'));
    // What the counts cost before they were kept: every row read (the query queue-stats ran).
    const scan = db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status');
    const scanMs = await timed(20, async () => scan.all());
    db.close();
    const store = createSqliteJobStore({ dir });
    await addWaiting(store);
    const bytes = (await stat(path.join(dir, 'jobs.db'))).size;
    const row = {
      store: 'sqlite',
      stored: size.toLocaleString('en'),
      dbMb: (bytes / 2 ** 20).toFixed(0),
      countsByScanMs: scanMs.toFixed(3),
      ...(await reads(store, ids)),
      // One batch of the retention sweep (100 jobs, one transaction: the write lock's hold).
      pruneBatchMs: (
        await timed(50, () => store.pruneFinished(new Date(Date.now() - 30 * 86_400_000).toISOString(), 100))
      ).toFixed(3),
    };
    await store.close();
    return row;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printRatios(rows: Array<Record<string, string>>) {
  const [first, last] = [rows[0]!, rows.at(-1)!];
  const ratio = (key: string) => (Number(last[key]) / Number(first[key])).toFixed(2);
  const keys = ['countsMs', 'listMs', 'listQueuedMs', 'getMs', 'totalsMs', 'settleCountsMs', 'pruneBatchMs'];
  console.log(
    `${last.store} ratios ${last.stored} / ${first.stored}: ${keys
      .filter((key) => key in first)
      .map((key) => `${key.replace(/Ms$/, '')} ${ratio(key)}`)
      .join(', ')}`,
  );
}

async function main() {
  for (const [store, sizes, measureAt] of [
    ['sqlite', SIZES, measure],
    ['dynamodb', DYNAMODB_SIZES, measureDynamoDb],
  ] as const) {
    if (!STORES.includes(store)) continue;
    const rows: Array<Record<string, string>> = [];
    for (const size of sizes) {
      console.log(`${store}: writing ${size.toLocaleString('en')} finished jobs...`);
      rows.push(await measureAt(size));
    }
    printTable(rows);
    if (rows.length >= 2) printRatios(rows);
  }
}

void main();
