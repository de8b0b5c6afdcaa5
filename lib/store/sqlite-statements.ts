import type Database from 'libsql';
import { PENDING_CALLBACK } from './sqlite-schema';

/** Every statement the SQLite adapter runs, prepared once per database. */
export function prepare(database: Database.Database) {
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
    queuedBefore: database.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND id < ?"),
    queuedByTask: database.prepare(
      `SELECT CASE WHEN json_valid(record) THEN json_extract(record, '$.task') END AS task, COUNT(*) AS n
       FROM jobs WHERE status = 'queued' GROUP BY 1`,
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
    ...keyStatements(database),
  };
}

/** The statements of concurrency keys (sqlite-keys.ts): a key's jobs, the load by key, the key slots. */
function keyStatements(database: Database.Database) {
  return {
    keyQueuedBefore: database.prepare(
      "SELECT COUNT(*) AS n FROM jobs WHERE concurrency_key = ? AND status = 'queued' AND id < ?",
    ),
    listKey: database.prepare(
      'SELECT id, record FROM jobs WHERE concurrency_key = ? AND id < ? ORDER BY id DESC LIMIT ?',
    ),
    listKeyStatus: database.prepare(
      'SELECT id, record FROM jobs WHERE concurrency_key = ? AND status = ? AND id < ? ORDER BY id DESC LIMIT ?',
    ),
    keyLoad: database.prepare(
      `SELECT concurrency_key AS key, task, SUM(status = 'running') AS running,
         SUM(status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) AS waiting
       FROM jobs INDEXED BY jobs_live_by_key WHERE status IN ('queued', 'running') GROUP BY 1, 2`,
    ),
    nextOfKey: database.prepare(
      `SELECT id, record FROM jobs INDEXED BY jobs_by_key
       WHERE concurrency_key = ? AND status = 'queued' AND task = ?
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
       ORDER BY id LIMIT 1`,
    ),
    keySlots: database.prepare('SELECT slot, job_id, attempt FROM key_slots WHERE scope = ?'),
    keySlotTake: database.prepare(
      'INSERT OR IGNORE INTO key_slots (scope, slot, job_id, attempt) VALUES (?, ?, ?, ?)',
    ),
    keySlotMove: database.prepare(
      'UPDATE key_slots SET job_id = ?, attempt = ? WHERE scope = ? AND slot = ? AND job_id = ? AND attempt = ?',
    ),
    keySlotFree: database.prepare(
      'DELETE FROM key_slots WHERE scope = ? AND slot = ? AND job_id = ? AND attempt = ?',
    ),
  };
}

export type Statements = ReturnType<typeof prepare>;
