import path from 'node:path';
import { assertJobId } from '../jobs/job-id';
import { createMicroBatcher } from '../micro-batch';
import { JOB_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import type { OutputChunk, OutputStream } from '../process/run-process';
import { withJobRules } from './job-store-rules';
import { MINUTE_MS, minuteStart, totalsOf } from '../jobs/job-statistics';
import type { FinishedTotals } from '../jobs/job-statistics';
import type { Claim, FinishedMinute, JobStore } from '../jobs/job-store';
import type { FinishEffects, ReplaceEffects, StoreBackend } from './store-backend';
import { JobRecordUnreadableError } from './store-errors';
import { inTransaction } from './sqlite-schema';
import { sqliteConnection } from './sqlite-connection';
import { prepare } from './sqlite-statements';
import { createFinishWatch, minutesOf } from './sqlite-finish-watch';
import { sqliteKeys } from './sqlite-keys';
import { sqlitePages } from './sqlite-pages';
import type { Statements } from './sqlite-statements';

export { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';

/** Finished-minute statistics older than this are dropped when a new minute starts. */
const KEEP_MINUTES_MS = 24 * 60 * MINUTE_MS;
/** At most this many submitted jobs share one insert transaction. */
const INSERT_BATCH_MAX = 100;

export interface SqliteJobStoreOptions {
  /** Directory of the database file (`jobs.db`), shared by every local process. */
  dir: string;
  /** The file name inside `dir`. */
  fileName?: string;
}

const checkId = assertJobId;
type Row = Record<string, unknown>;

/**
 * The SQLite adapter of the job store: one database file that every local process opens (the HTTP
 * handlers, the consumer, the start script), in WAL mode so readers never wait for the writer. The
 * embedded default for `npm start` and the tests. Every compare-and-set is one conditional statement
 * or one IMMEDIATE transaction, so it holds across processes; SQLite's busy handler (busy_timeout)
 * waits for a lock, nothing here retries in a loop.
 *
 * The binding is libsql (better-sqlite3's API over SQLite): it ships N-API binaries as npm packages,
 * so it installs from the registry alone and loads on every Node version without a build.
 */
export function createSqliteJobStore(options: SqliteJobStoreOptions): JobStore {
  return withJobRules(sqliteBackend(options));
}

/** The SQLite backend under the job store's rules (job-store-rules.ts). */
function sqliteBackend({ dir, fileName = 'jobs.db' }: SqliteJobStoreOptions): StoreBackend {
  const file = path.join(path.resolve(dir), fileName);
  const connection = sqliteConnection(file, prepare);
  const use = connection.use;

  function parseRecord(id: string, text: unknown): JobRecord {
    try {
      return JSON.parse(String(text)) as JobRecord;
    } catch (error) {
      throw new JobRecordUnreadableError(id, { cause: error });
    }
  }

  function readRecord(sql: Statements, id: string): JobRecord | undefined {
    const row = sql.get.get(id) as Row | undefined;
    return row ? parseRecord(id, row.record) : undefined;
  }

  /** The minute whose start last pruned the old statistics (per process: a prune is idempotent). */
  let prunedFor = 0;

  /** A finished job's share of the statistics, written in the transaction that finishes it. */
  function recordFinished(sql: Statements, id: string, { shares, totals }: FinishEffects): void {
    sql.minuteAdd.run(shares.minuteMs, 1, 0);
    if (shares.waitBucket !== undefined) sql.bucketAdd.run(shares.minuteMs, 'w', shares.waitBucket);
    if (shares.runBucket !== undefined) sql.bucketAdd.run(shares.minuteMs, 'r', shares.runBucket);
    for (const [minuteMs, ms] of shares.busy) sql.minuteAdd.run(minuteMs, 0, ms);
    for (const [name, add] of totals) sql.totalAdd.run(name, add);
    if (shares.minuteMs !== prunedFor) {
      prunedFor = shares.minuteMs;
      sql.minutesPrune.run(shares.minuteMs - KEEP_MINUTES_MS);
      sql.bucketsPrune.run(shares.minuteMs - KEEP_MINUTES_MS);
    }
    const { lastInsertRowid } = sql.finishEvent.run(id);
    if (Number(lastInsertRowid) % 1000 === 0) sql.finishEventsPrune.run(Number(lastInsertRowid) - 10_000);
  }

  const insertRow = (sql: Statements, record: JobRecord): boolean =>
    sql.insert.run(
      record.id,
      record.status,
      record.attempts,
      record.nextAttemptAt ?? null,
      JSON.stringify(record),
    ).changes === 1;

  /**
   * Group commit: the jobs submitted in one turn of the event loop are inserted in one transaction.
   * Under a burst of submits a commit per job took SQLite's write lock once per job, and whenever the
   * consumer's process held it, the insert waited in SQLite's busy handler (at least 1 ms, on the
   * event loop); a batch takes it once. A lone job is one statement, as before.
   */
  const insertBatched = createMicroBatcher<JobRecord, boolean>(
    async (records) =>
      use((database, sql) =>
        records.length === 1
          ? [insertRow(sql, records[0]!)]
          : inTransaction(database, () => records.map((record) => insertRow(sql, record))),
      ),
    { maxSize: INSERT_BATCH_MAX },
  );

  async function insertJob(record: JobRecord): Promise<boolean> {
    checkId(record.id);
    return insertBatched(record);
  }

  async function get(id: string): Promise<JobRecord | undefined> {
    checkId(id);
    return use((_, sql) => readRecord(sql, id));
  }

  async function replaceJob(
    next: JobRecord,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
    effects: ReplaceEffects = {},
  ): Promise<boolean> {
    checkId(next.id);
    const { finish, reopened } = effects;
    const update = (sql: Statements) =>
      sql.update.run(
        next.status,
        next.attempts,
        next.nextAttemptAt ?? null,
        JSON.stringify(next),
        next.id,
        expected.status,
        expected.attempts,
      ).changes === 1;
    // A change that ends nothing (a start) is one conditional statement; a finish writes its
    // statistics and its status's count and drops its cancel request and output pieces in the same
    // transaction; a retry's requeue takes its final count back in the same transaction.
    const written = use((database, sql) =>
      finish
        ? inTransaction(database, () => {
            if (!update(sql)) return false;
            recordFinished(sql, next.id, finish);
            sql.totalAdd.run(`final|${next.status}`, 1);
            sql.cancelClear.run(next.id);
            sql.chunksClear.run(next.id);
            return true;
          })
        : reopened
          ? inTransaction(database, () => {
              if (!update(sql)) return false;
              sql.totalAdd.run(`final|${reopened}`, -1);
              return true;
            })
          : update(sql),
    );
    if (written && finish) notify(next.id);
    return written;
  }

  async function replaceCallback(next: JobRecord, expected: JobRecord): Promise<boolean> {
    checkId(next.id);
    return use(
      (_, sql) =>
        sql.updateIfUnchanged.run(JSON.stringify(next), next.id, JSON.stringify(expected)).changes === 1,
    );
  }

  async function deleteJob(id: string): Promise<void> {
    checkId(id);
    use((database, sql) =>
      inTransaction(database, () => {
        sql.remove.run(id);
        sql.chunksClear.run(id);
      }),
    );
  }

  async function readKey(hash: string): Promise<string | undefined> {
    const row = use((_, sql) => sql.keyGet.get(hash) as Row | undefined);
    return row ? String(row.job_id) : undefined;
  }

  async function insertKey(hash: string, jobId: string): Promise<boolean> {
    return use((_, sql) => sql.keyInsert.run(hash, jobId).changes === 1);
  }

  async function replaceKey(hash: string, fromJobId: string, toJobId: string): Promise<boolean> {
    return use((_, sql) => sql.keyTakeOver.run(hash, toJobId, fromJobId).changes === 1);
  }

  async function deleteKey(hash: string, jobId: string): Promise<void> {
    use((_, sql) => sql.keyRemove.run(hash, jobId));
  }

  const { list, pendingCallbacks } = sqlitePages(use);

  async function countByStatus(): Promise<Record<JobStatus, number>> {
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    const rows = use((_, sql) => [...(sql.countsLive.all() as Row[]), ...(sql.countsFinal.all() as Row[])]);
    for (const row of rows) {
      const status = String(row.status) as JobStatus;
      if (status in counts) counts[status] = Number(row.n);
    }
    return counts;
  }

  /**
   * Removes up to `limit` jobs that finished before `before` (ISO time), oldest first, with all that
   * belongs to them (claims, keys, output pieces, cancel requests), in one transaction: a batch of
   * a hundred holds the write lock a few milliseconds. Their statistics stay counted (the counters
   * and the minute and all-time aggregates are not the rows). Returns how many went.
   */
  async function pruneFinished(before: string, limit: number): Promise<number> {
    return use((database, sql) =>
      inTransaction(database, () => {
        const ids = (sql.finishedBefore.all(before, limit) as Row[]).map((row) => String(row.id));
        for (const id of ids) {
          sql.remove.run(id);
          sql.claimsClear.run(id);
          sql.keysClear.run(id);
          sql.chunksClear.run(id);
          sql.cancelClear.run(id);
        }
        return ids.length;
      }),
    );
  }

  async function countRetrying(): Promise<number> {
    return use((_, sql) => Number((sql.retrying.get() as Row).n));
  }

  async function queuedByTask(): Promise<Record<string, number>> {
    const rows = use((_, sql) => sql.queuedByTask.all() as Row[]);
    return Object.fromEntries(
      rows.filter((row) => row.task !== null).map((row) => [String(row.task), Number(row.n)]),
    );
  }

  const { countQueuedBefore, keyLoad, nextOfKey, keySlots, setKeySlot } = sqliteKeys(use);

  async function claim(id: string, attempt: number, value: Claim): Promise<boolean> {
    checkId(id);
    return use((_, sql) => sql.claim.run(id, attempt, JSON.stringify(value)).changes === 1);
  }

  async function readClaim(id: string, attempt: number): Promise<Claim | undefined> {
    checkId(id);
    const row = use((_, sql) => sql.claimGet.get(id, attempt) as Row | undefined);
    return row ? (JSON.parse(String(row.claim)) as Claim) : undefined;
  }

  async function updateClaim(id: string, attempt: number, patch: Partial<Claim>): Promise<void> {
    checkId(id);
    use((database, sql) =>
      inTransaction(database, () => {
        const row = sql.claimGet.get(id, attempt) as Row | undefined;
        if (!row) return;
        sql.claimPut.run(
          JSON.stringify({ ...(JSON.parse(String(row.claim)) as Claim), ...patch }),
          id,
          attempt,
        );
      }),
    );
  }

  async function requestCancel(id: string, attempt: number): Promise<void> {
    checkId(id);
    use((_, sql) => sql.cancelPut.run(id, new Date().toISOString(), attempt));
  }

  async function isCancelRequested(id: string, attempt: number): Promise<boolean> {
    checkId(id);
    return use((_, sql) => sql.cancelGet.get(id, attempt) !== undefined);
  }

  async function appendOutput(id: string, attempt: number, chunk: OutputChunk): Promise<void> {
    checkId(id);
    const { stream, offset, data } = chunk;
    use((_, sql) => sql.chunkPut.run(id, attempt, stream, offset, Buffer.byteLength(data), data));
  }

  async function readOutput(
    id: string,
    attempt: number,
    stream: OutputStream,
    fromOffset: number,
  ): Promise<OutputChunk[]> {
    checkId(id);
    const rows = use((_, sql) => sql.chunks.all(id, attempt, stream, fromOffset) as Row[]);
    return rows.map((row) => ({ stream, offset: Number(row.byte_offset), data: String(row.data) }));
  }

  async function finishedTotals(): Promise<FinishedTotals> {
    const rows = use((_, sql) => sql.totals.all() as Row[]);
    return totalsOf(rows.map((row) => [String(row.name), Number(row.value)]));
  }

  async function finishedByMinute(fromMs: number, toMs = Date.now()): Promise<FinishedMinute[]> {
    const low = minuteStart(fromMs) - 1;
    const { minutes, buckets } = use((_, sql) => ({
      minutes: sql.minutes.all(low, toMs) as Row[],
      buckets: sql.buckets.all(low, toMs) as Row[],
    }));
    return minutesOf(minutes, buckets, fromMs, toMs);
  }

  const watch = createFinishWatch(use);
  const { notify, onFinished } = watch;

  /** A read of one small row: the database opens and answers (health), without a write per call. */
  async function probe(): Promise<void> {
    use((_, sql) => sql.metaGet.get('probe'));
  }

  async function readMeta<T>(name: string): Promise<T | undefined> {
    const row = use((_, sql) => sql.metaGet.get(name) as Row | undefined);
    return row ? (JSON.parse(String(row.value)) as T) : undefined;
  }

  async function writeMeta(name: string, value: unknown): Promise<void> {
    use((_, sql) => sql.metaPut.run(name, JSON.stringify(value)));
  }

  async function close(): Promise<void> {
    watch.stop();
    connection.close();
  }

  return {
    insertJob,
    get,
    replaceJob,
    replaceCallback,
    deleteJob,
    readKey,
    insertKey,
    replaceKey,
    deleteKey,
    list,
    countByStatus,
    pruneFinished,
    pendingCallbacks,
    countRetrying,
    countQueuedBefore,
    queuedByTask,
    keyLoad,
    nextOfKey,
    keySlots,
    setKeySlot,
    claim,
    readClaim,
    updateClaim,
    requestCancel,
    isCancelRequested,
    appendOutput,
    readOutput,
    finishedTotals,
    finishedByMinute,
    // Counted in each change's own transaction: nothing is ever owed.
    settleCounts: async () => ({ counted: 0, settled: 0 }),
    onFinished,
    probe,
    readMeta,
    writeMeta,
    close,
  };
}
