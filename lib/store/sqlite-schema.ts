import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'libsql';

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

/** How long a write waits for another process's transaction before it fails (SQLite's busy handler). */
const BUSY_TIMEOUT_MS = 5000;

/** The schema this code writes; a database made by an older version is migrated step by step. */
export const SCHEMA_VERSION = 9;

/**
 * A final job whose callback is pending (the partial index's condition, and its query's). A record
 * that is not JSON (damaged) is simply not one: json_extract alone would fail every write of it,
 * and the migration that builds the index.
 */
export const FINAL_LIST = "'succeeded', 'failed', 'timed_out', 'cancelled', 'expired'";
export const PENDING_CALLBACK = `status IN (${FINAL_LIST})
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
  // A new final status (expired): the column of when a job finished and the index of pending
  // callbacks name the final statuses, so both are made again with it.
  7: `
    DROP INDEX jobs_finished;
    ALTER TABLE jobs DROP COLUMN finished_at;
    ALTER TABLE jobs ADD COLUMN finished_at TEXT GENERATED ALWAYS AS (
      CASE WHEN status IN (${FINAL_LIST}) AND json_valid(record) THEN json_extract(record, '$.finishedAt') END
    ) VIRTUAL;
    CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
    DROP INDEX jobs_callback_pending;
    CREATE INDEX jobs_callback_pending ON jobs (id) WHERE ${PENDING_CALLBACK};
  `,
  // Concurrency keys: a job's key and task as columns computed from its record, indexed for the
  // live jobs by key (the fair share: the index alone answers) and a key's jobs (its list, its
  // queue); the key slots, one row per slot held.
  8: `
    ALTER TABLE jobs ADD COLUMN concurrency_key TEXT GENERATED ALWAYS AS (
      CASE WHEN json_valid(record) THEN json_extract(record, '$.concurrencyKey') END
    ) VIRTUAL;
    ALTER TABLE jobs ADD COLUMN task TEXT GENERATED ALWAYS AS (
      CASE WHEN json_valid(record) THEN json_extract(record, '$.task') END
    ) VIRTUAL;
    CREATE INDEX jobs_live_by_key ON jobs (status, concurrency_key, task, next_attempt_at)
      WHERE status IN ('queued', 'running');
    CREATE INDEX jobs_by_key ON jobs (concurrency_key, status, id) WHERE concurrency_key IS NOT NULL;
    CREATE TABLE key_slots (
      scope TEXT NOT NULL,
      slot INTEGER NOT NULL,
      job_id TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      PRIMARY KEY (scope, slot)
    ) WITHOUT ROWID;
  `,
  // Schedules (lib/schedules): the record, its version (the compare-and-set) and its next fire time,
  // indexed for the firing pass.
  9: `
    CREATE TABLE schedules (
      id TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      next_run_at TEXT,
      record TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX schedules_due ON schedules (next_run_at) WHERE next_run_at IS NOT NULL;
  `,
};

/**
 * Runs `fn` in one IMMEDIATE transaction (the write lock taken up front, so two processes never
 * deadlock upgrading a read). Written out instead of the binding's `transaction()`: when SQLite
 * rolls a transaction back itself (SQLITE_FULL), that helper's own ROLLBACK fails and hides why.
 */
export function inTransaction<T>(database: Database.Database, fn: () => T): T {
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

/** Brings a database's schema to SCHEMA_VERSION, one migration at a time, in one transaction. */
export function migrate(database: Database.Database): void {
  const version = () =>
    Number((database.prepare('PRAGMA user_version').get() as Record<string, unknown>).user_version);
  if (version() >= SCHEMA_VERSION) return;
  inTransaction(database, () => {
    // Read again inside the write lock: another process may have migrated meanwhile.
    for (let next = version() + 1; next <= SCHEMA_VERSION; next += 1) {
      database.exec(MIGRATIONS[next]!);
      database.exec(`PRAGMA user_version = ${next}`);
    }
  });
}

/**
 * Opens (or makes) the database file: WAL, so readers never wait for the writer; SQLite's busy
 * handler for the write lock; the schema brought to SCHEMA_VERSION.
 */
export function openDatabase(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const opened = new (loadLibsql())(file);
  try {
    opened.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    opened.exec('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL is durable across a crash of any process; a power cut may lose the last
    // commits, never corrupt the file.
    opened.exec('PRAGMA synchronous = NORMAL');
    migrate(opened);
    return opened;
  } catch (error) {
    opened.close();
    throw error;
  }
}
