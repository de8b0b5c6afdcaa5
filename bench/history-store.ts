/**
 * `npm run bench:history`: the SQLite job store's reads at 10,000 and at 1,000,000 stored jobs, side
 * by side: the counts queue-stats and metrics read, the first page of the list, a job by id, the
 * all-time totals, and one retention batch (how long it holds the write lock). The finished jobs are
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
import { createSqliteJobStore } from '../lib/store/sqlite-job-store';
import { seedHistory } from './lib/seed-history';
import { median, printTable } from './lib/stats';

const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '10000,1000000').split(',').map(Number);
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
    const bytes = (await stat(path.join(dir, 'jobs.db'))).size;
    let next = 0;
    const row = {
      stored: size.toLocaleString('en'),
      dbMb: (bytes / 2 ** 20).toFixed(0),
      countsMs: (await timed(CALLS, () => store.countByStatus())).toFixed(3),
      countsByScanMs: scanMs.toFixed(3),
      listMs: (await timed(CALLS, () => store.list({ limit: 20 }))).toFixed(3),
      listQueuedMs: (await timed(CALLS, () => store.list({ status: 'queued', limit: 20 }))).toFixed(3),
      getMs: (await timed(CALLS, () => store.get(ids[(next += 1) % ids.length]!))).toFixed(3),
      totalsMs: (await timed(CALLS, () => store.finishedTotals())).toFixed(3),
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

async function main() {
  const rows = [];
  for (const size of SIZES) {
    console.log(`writing ${size.toLocaleString('en')} finished jobs...`);
    rows.push(await measure(size));
  }
  printTable(rows);
  if (rows.length >= 2) {
    const [first, last] = [rows[0]!, rows.at(-1)!];
    const ratio = (key: keyof typeof first) => (Number(last[key]) / Number(first[key])).toFixed(2);
    console.log(
      `ratios ${last.stored} / ${first.stored}: counts ${ratio('countsMs')}, list ${ratio('listMs')}, list queued ${ratio('listQueuedMs')}, get ${ratio('getMs')}, totals ${ratio('totalsMs')}, retention batch ${ratio('pruneBatchMs')}`,
    );
  }
}

void main();
