import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'libsql';
import { assertJobId } from '../jobs/job-id';
import { createMicroBatcher } from '../micro-batch';
import { JOB_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import type { OutputChunk, OutputStream } from '../process/run-process';
import { withJobRules } from './job-store-rules';
import { emptyMinute, MINUTE_MS, minuteStart, totalsOf } from '../jobs/job-statistics';
import type { FinishedTotals } from '../jobs/job-statistics';
import type { Claim, FinishedMinute, JobPage, JobStore, ListQuery } from '../jobs/job-store';
import type { FinishEffects, ReplaceEffects, StoreBackend } from './store-backend';
import { JobRecordUnreadableError, StoreFullError, StoreUnavailableError } from './store-errors';

/**
 * libsql, loaded when a SQLite store first opens its database, never at import. A deployed function
 * uses the DynamoDB store and its zip carries no SQLite binding (libsql picks a native package by
 * platform at load: `@libsql/linux-arm64-gnu` on Lambda's arm64): loaded at import, every function
 * failed its init asking for it. The bundles leave it external (serverless.yml, lib/local/bundles.ts).
 */
function loadLibsql(): typeof Database {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose
  return require('libsql') as typeof Database;
}

/** The schema this code writes; a database made by an older version is migrated step by step. */
export const SCHEMA_VERSION = 6;

/**
 * A final job whose callback is pending (the partial index's condition, and its query's). A record
 * that is not JSON (damaged) is simply not one: json_extract alone would fail every write of it,
 * and the migration that builds the index.
 */
const FINAL_LIST = "'succeeded', 'failed', 'timed_out', 'cancelled'";
const PENDING_CALLBACK = `status IN (${FINAL_LIST})
  AND CASE WHEN json_valid(record) THEN json_extract(record, '$.callback.status') END = 'pending'`;

export const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at TEXT,
      record TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX jobs_by_status ON jobs (status, id);
    CREATE INDEX jobs_retrying ON jobs (status, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
    CREATE TABLE claims (
      job_id TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      claim TEXT NOT NULL,
      PRIMARY KEY (job_id, attempt)
    ) WITHOUT ROWID;
    CREATE TABLE idempotency_keys (key_hash TEXT PRIMARY KEY, job_id TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE cancel_requests (job_id TEXT PRIMARY KEY, requested_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE finished_minutes (
      minute_ms INTEGER PRIMARY KEY,
      finished INTEGER NOT NULL DEFAULT 0,
      busy_ms INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE finished_buckets (
      minute_ms INTEGER NOT NULL,
      kind TEXT NOT NULL,
      bucket INTEGER NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (minute_ms, kind, bucket)
    ) WITHOUT ROWID;
    CREATE TABLE finish_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL);
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  2: `
    CREATE TABLE output_chunks (
      job_id TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      stream TEXT NOT NULL,
      byte_offset INTEGER NOT NULL,
      byte_length INTEGER NOT NULL,
      data TEXT NOT NULL,
      PRIMARY KEY (job_id, attempt, stream, byte_offset)
    ) WITHOUT ROWID;
  `,
  3: `
    CREATE TABLE finished_totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  `,
  // Final jobs whose callback is still to be delivered: few, whatever the number of jobs.
  4: `
    CREATE INDEX jobs_callback_pending ON jobs (id) WHERE ${PENDING_CALLBACK};
  `,
  // Retention and counts that cost the same at any history: when a final job finished (a column
  // computed from its record, indexed), the job a key names (indexed), and the count of each final
  // status kept in the same transaction as each change, seeded from the rows there are.
  5: `
    ALTER TABLE jobs ADD COLUMN finished_at TEXT GENERATED ALWAYS AS (
      CASE WHEN status IN (${FINAL_LIST}) AND json_valid(record) THEN json_extract(record, '$.finishedAt') END
    ) VIRTUAL;
    CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
    CREATE INDEX idempotency_keys_by_job ON idempotency_keys (job_id);
    INSERT OR REPLACE INTO finished_totals (name, value)
      SELECT 'final|' || status, COUNT(*) FROM jobs WHERE status IN (${FINAL_LIST}) GROUP BY status;
  `,
  // A cancel request names the attempt it was made for (older ones, without, stop any attempt).
  6: `
    ALTER TABLE cancel_requests ADD COLUMN attempt INTEGER;
  `,
};

/** How long a write waits for another process's transaction before it fails (SQLite's busy handler). */
const BUSY_TIMEOUT_MS = 5000;
/** Finished-minute statistics older than this are dropped when a new minute starts. */
const KEEP_MINUTES_MS = 24 * 60 * MINUTE_MS;
/** How often a process that has waiters looks for jobs other processes finished. */
const FINISH_POLL_MS = 50;
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

/** SQLite's own error codes, as libsql reports them. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What a failed SQLite call means for a client: out of space, busy or unreachable, or a bug. */
function translate(error: unknown): unknown {
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_FULL') || (error as NodeJS.ErrnoException)?.code === 'ENOSPC') {
    return new StoreFullError({ cause: error });
  }
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|READONLY|CORRUPT|NOTADB)/.test(code)) {
    return new StoreUnavailableError(`the job store cannot be used (${code})`, { cause: error });
  }
  return error;
}

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
  let db: Database.Database | undefined;
  let statements: ReturnType<typeof prepare> | undefined;

  function open(): { db: Database.Database; sql: ReturnType<typeof prepare> } {
    if (db && statements) return { db, sql: statements };
    mkdirSync(path.dirname(file), { recursive: true });
    const opened = new (loadLibsql())(file);
    try {
      opened.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      opened.exec('PRAGMA journal_mode = WAL');
      // In WAL mode NORMAL is durable across a crash of any process; a power cut may lose the last
      // commits, never corrupt the file.
      opened.exec('PRAGMA synchronous = NORMAL');
      migrate(opened);
      statements = prepare(opened);
      db = opened;
      return { db, sql: statements };
    } catch (error) {
      opened.close();
      throw error;
    }
  }

  function migrate(database: Database.Database): void {
    const version = () => Number((database.prepare('PRAGMA user_version').get() as Row).user_version);
    if (version() >= SCHEMA_VERSION) return;
    inTransaction(database, () => {
      // Read again inside the write lock: another process may have migrated meanwhile.
      for (let next = version() + 1; next <= SCHEMA_VERSION; next += 1) {
        database.exec(MIGRATIONS[next]!);
        database.exec(`PRAGMA user_version = ${next}`);
      }
    });
  }

  function prepare(database: Database.Database) {
    return {
      get: database.prepare('SELECT record FROM jobs WHERE id = ?'),
      insert: database.prepare(
        'INSERT OR IGNORE INTO jobs (id, status, attempts, next_attempt_at, record) VALUES (?, ?, ?, ?, ?)',
      ),
      update: database.prepare(
        `UPDATE jobs SET status = ?, attempts = ?, next_attempt_at = ?, record = ?
         WHERE id = ? AND status = ? AND attempts = ?`,
      ),
      // The record as read is the fence: every record is written as JSON.stringify of it, so a record
      // read and stringified again is the stored text until someone writes it.
      updateIfUnchanged: database.prepare('UPDATE jobs SET record = ? WHERE id = ? AND record = ?'),
      remove: database.prepare('DELETE FROM jobs WHERE id = ?'),
      keyGet: database.prepare('SELECT job_id FROM idempotency_keys WHERE key_hash = ?'),
      keyInsert: database.prepare('INSERT OR IGNORE INTO idempotency_keys (key_hash, job_id) VALUES (?, ?)'),
      keyTakeOver: database.prepare(
        `INSERT INTO idempotency_keys (key_hash, job_id) VALUES (?, ?)
         ON CONFLICT (key_hash) DO UPDATE SET job_id = excluded.job_id WHERE job_id = ?`,
      ),
      keyRemove: database.prepare('DELETE FROM idempotency_keys WHERE key_hash = ? AND job_id = ?'),
      listAll: database.prepare('SELECT id, record FROM jobs WHERE id < ? ORDER BY id DESC LIMIT ?'),
      listStatus: database.prepare(
        'SELECT id, record FROM jobs WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      // Jobs still waiting or running, counted from the rows (bounded: MAX_QUEUED_JOBS and the slots);
      // the final statuses from their counters, whatever the history.
      countsLive: database.prepare(
        "SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('scheduled', 'queued', 'running') GROUP BY status",
      ),
      countsFinal: database.prepare(
        "SELECT substr(name, 7) AS status, value AS n FROM finished_totals WHERE name >= 'final|' AND name < 'final}'",
      ),
      finishedBefore: database.prepare(
        `SELECT id FROM jobs INDEXED BY jobs_finished
         WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at LIMIT ?`,
      ),
      claimsClear: database.prepare('DELETE FROM claims WHERE job_id = ?'),
      keysClear: database.prepare('DELETE FROM idempotency_keys WHERE job_id = ?'),
      pendingCallbacks: database.prepare(
        `SELECT id, record FROM jobs INDEXED BY jobs_callback_pending
         WHERE ${PENDING_CALLBACK} AND id > ? ORDER BY id LIMIT ?`,
      ),
      retrying: database.prepare(
        "SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND next_attempt_at IS NOT NULL",
      ),
      claim: database.prepare('INSERT OR IGNORE INTO claims (job_id, attempt, claim) VALUES (?, ?, ?)'),
      claimGet: database.prepare('SELECT claim FROM claims WHERE job_id = ? AND attempt = ?'),
      claimPut: database.prepare('UPDATE claims SET claim = ? WHERE job_id = ? AND attempt = ?'),
      cancelPut: database.prepare(
        'INSERT OR REPLACE INTO cancel_requests (job_id, requested_at, attempt) VALUES (?, ?, ?)',
      ),
      cancelGet: database.prepare(
        'SELECT 1 AS yes FROM cancel_requests WHERE job_id = ? AND (attempt IS NULL OR attempt = ?)',
      ),
      cancelClear: database.prepare('DELETE FROM cancel_requests WHERE job_id = ?'),
      minuteAdd: database.prepare(
        `INSERT INTO finished_minutes (minute_ms, finished, busy_ms) VALUES (?, ?, ?)
         ON CONFLICT (minute_ms) DO UPDATE SET finished = finished + excluded.finished,
           busy_ms = busy_ms + excluded.busy_ms`,
      ),
      bucketAdd: database.prepare(
        `INSERT INTO finished_buckets (minute_ms, kind, bucket, count) VALUES (?, ?, ?, 1)
         ON CONFLICT (minute_ms, kind, bucket) DO UPDATE SET count = count + 1`,
      ),
      totalAdd: database.prepare(
        `INSERT INTO finished_totals (name, value) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
      ),
      totals: database.prepare('SELECT name, value FROM finished_totals'),
      minutesPrune: database.prepare('DELETE FROM finished_minutes WHERE minute_ms < ?'),
      bucketsPrune: database.prepare('DELETE FROM finished_buckets WHERE minute_ms < ?'),
      minutes: database.prepare(
        'SELECT minute_ms, finished, busy_ms FROM finished_minutes WHERE minute_ms > ? AND minute_ms <= ? ORDER BY minute_ms',
      ),
      buckets: database.prepare(
        'SELECT minute_ms, kind, bucket, count FROM finished_buckets WHERE minute_ms > ? AND minute_ms <= ?',
      ),
      finishEvent: database.prepare('INSERT INTO finish_events (job_id) VALUES (?)'),
      finishEvents: database.prepare('SELECT seq, job_id FROM finish_events WHERE seq > ? ORDER BY seq'),
      finishEventsPrune: database.prepare('DELETE FROM finish_events WHERE seq < ?'),
      lastFinishEvent: database.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM finish_events'),
      chunkPut: database.prepare(
        `INSERT OR IGNORE INTO output_chunks (job_id, attempt, stream, byte_offset, byte_length, data)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      chunks: database.prepare(
        `SELECT byte_offset, data FROM output_chunks
         WHERE job_id = ? AND attempt = ? AND stream = ? AND byte_offset + byte_length > ? ORDER BY byte_offset`,
      ),
      chunksClear: database.prepare('DELETE FROM output_chunks WHERE job_id = ?'),
      metaGet: database.prepare('SELECT value FROM meta WHERE name = ?'),
      metaPut: database.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)'),
      dataVersion: database.prepare('PRAGMA data_version'),
    };
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock taken up front, so two processes never
   * deadlock upgrading a read). Written out instead of the binding's `transaction()`: when SQLite
   * rolls a transaction back itself (SQLITE_FULL), that helper's own ROLLBACK fails and hides why.
   */
  function inTransaction<T>(database: Database.Database, fn: () => T): T {
    database.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      database.exec('COMMIT');
      return result;
    } catch (error) {
      if (database.inTransaction) database.exec('ROLLBACK');
      throw error;
    }
  }

  /** Runs `fn` against the database; SQLite's failures become the store's own errors. */
  function use<T>(fn: (db: Database.Database, sql: ReturnType<typeof prepare>) => T): T {
    let opened: ReturnType<typeof open>;
    try {
      opened = open();
    } catch (error) {
      // No database to use (a file that cannot be opened or created, a schema that cannot be made).
      const full = translate(error);
      if (full instanceof StoreFullError) throw full;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`the job store's database cannot be opened: ${reason}`, {
        cause: error,
      });
    }
    try {
      return fn(opened.db, opened.sql);
    } catch (error) {
      throw translate(error);
    }
  }

  function parseRecord(id: string, text: unknown): JobRecord {
    try {
      return JSON.parse(String(text)) as JobRecord;
    } catch (error) {
      throw new JobRecordUnreadableError(id, { cause: error });
    }
  }

  function readRecord(sql: ReturnType<typeof prepare>, id: string): JobRecord | undefined {
    const row = sql.get.get(id) as Row | undefined;
    return row ? parseRecord(id, row.record) : undefined;
  }

  /** The minute whose start last pruned the old statistics (per process: a prune is idempotent). */
  let prunedFor = 0;

  /** A finished job's share of the statistics, written in the transaction that finishes it. */
  function recordFinished(
    sql: ReturnType<typeof prepare>,
    id: string,
    { shares, totals }: FinishEffects,
  ): void {
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

  const finishedListeners = new Set<(id: string) => void>();
  const notify = (id: string) => {
    for (const listener of finishedListeners) listener(id);
  };

  const insertRow = (sql: ReturnType<typeof prepare>, record: JobRecord): boolean =>
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
    const update = (sql: ReturnType<typeof prepare>) =>
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

  async function list(query: ListQuery = {}): Promise<JobPage> {
    const limit = query.limit ?? 20;
    if (query.cursor !== undefined) checkId(query.cursor);
    // Ids are UUID v7: their order is their creation order. 'g' sorts after every id.
    const cursor = query.cursor ?? 'g';
    const rows = use((_, sql) =>
      query.status
        ? (sql.listStatus.all(query.status, cursor, limit + 1) as Row[])
        : (sql.listAll.all(cursor, limit + 1) as Row[]),
    );
    const jobs: JobRecord[] = [];
    for (const row of rows.slice(0, limit)) {
      // A damaged record is left out, so one bad row never breaks a page.
      try {
        jobs.push(JSON.parse(String(row.record)) as JobRecord);
      } catch {
        // skipped
      }
    }
    // The cursor is the last row's id, read from its column: the row may be the damaged one.
    const last = rows[Math.min(rows.length, limit) - 1];
    const lastId = last ? String(last.id) : undefined;
    return rows.length > limit && lastId ? { jobs, nextCursor: lastId } : { jobs };
  }

  async function* pendingCallbacks(): AsyncIterable<JobRecord> {
    const page = 100;
    let after = '';
    for (;;) {
      const rows = use((_, sql) => sql.pendingCallbacks.all(after, page) as Row[]);
      // Every row is valid JSON: the index's condition checks it.
      for (const row of rows) yield JSON.parse(String(row.record)) as JobRecord;
      if (rows.length < page) return;
      after = String(rows.at(-1)!.id);
    }
  }

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
    const byMinute = new Map<number, FinishedMinute>();
    for (const row of minutes) {
      const minute = emptyMinute(Number(row.minute_ms));
      minute.finished = Number(row.finished);
      minute.busyMs = Number(row.busy_ms);
      byMinute.set(minute.minuteMs, minute);
    }
    for (const row of buckets) {
      const minuteMs = Number(row.minute_ms);
      let minute = byMinute.get(minuteMs);
      if (!minute) byMinute.set(minuteMs, (minute = emptyMinute(minuteMs)));
      const histogram = row.kind === 'w' ? minute.waitMs : minute.runMs;
      histogram[String(row.bucket)] = Number(row.count);
    }
    return [...byMinute.values()]
      .filter((minute) => minute.minuteMs + MINUTE_MS > fromMs && minute.minuteMs <= toMs)
      .sort((a, b) => a.minuteMs - b.minuteMs);
  }

  /**
   * Jobs finished by other processes: while this process has waiters, it looks every 50 ms whether
   * the database changed (`PRAGMA data_version`, a read of one page header) and, if so, reads the
   * finish events past the last one it saw. Nothing runs while nobody waits.
   */
  let poller: NodeJS.Timeout | undefined;
  let lastSeq = 0;
  let lastVersion = -1;
  function poll(): void {
    try {
      use((_, sql) => {
        const version = Number((sql.dataVersion.get() as Row).data_version);
        if (version === lastVersion) return;
        lastVersion = version;
        for (const row of sql.finishEvents.all(lastSeq) as Row[]) {
          lastSeq = Number(row.seq);
          notify(String(row.job_id));
        }
      });
    } catch {
      // a waiter still re-reads its job now and then
    }
  }
  function onFinished(listener: (id: string) => void): () => void {
    finishedListeners.add(listener);
    if (!poller) {
      try {
        lastSeq = use((_, sql) => Number((sql.lastFinishEvent.get() as Row).seq));
      } catch {
        lastSeq = 0;
      }
      lastVersion = -1;
      poller = setInterval(poll, FINISH_POLL_MS);
      poller.unref();
    }
    return () => {
      finishedListeners.delete(listener);
      if (finishedListeners.size === 0 && poller) {
        clearInterval(poller);
        poller = undefined;
      }
    };
  }

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
    if (poller) clearInterval(poller);
    poller = undefined;
    finishedListeners.clear();
    db?.close();
    db = undefined;
    statements = undefined;
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
    claim,
    readClaim,
    updateClaim,
    requestCancel,
    isCancelRequested,
    appendOutput,
    readOutput,
    finishedTotals,
    finishedByMinute,
    onFinished,
    probe,
    readMeta,
    writeMeta,
    close,
  };
}
