import path from 'node:path';
import type Database from 'libsql';
import { assertJobId } from '../jobs/job-id';
import type { Schedule } from '../schedules/schedule';
import type { ScheduleStore } from '../schedules/schedule-store';
import { sqliteConnection } from './sqlite-connection';

type Row = Record<string, unknown>;

/** The statements of the schedule store, prepared once per connection. */
function prepare(database: Database.Database) {
  return {
    insert: database.prepare('INSERT INTO schedules (id, version, next_run_at, record) VALUES (?, ?, ?, ?)'),
    get: database.prepare('SELECT record FROM schedules WHERE id = ?'),
    page: database.prepare('SELECT id, record FROM schedules WHERE id > ? ORDER BY id LIMIT ?'),
    due: database.prepare(
      'SELECT record FROM schedules WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?',
    ),
    replace: database.prepare(
      'UPDATE schedules SET version = ?, next_run_at = ?, record = ? WHERE id = ? AND version = ?',
    ),
    remove: database.prepare('DELETE FROM schedules WHERE id = ?'),
    count: database.prepare('SELECT COUNT(*) AS n FROM schedules'),
  };
}

/**
 * The SQLite adapter of the schedule store: the `schedules` table of the job store's database file
 * (its own connection; the schema and its migrations are the job store's). A change is one
 * conditional statement on the version.
 */
export function createSqliteScheduleStore({
  dir,
  fileName = 'jobs.db',
}: {
  dir: string;
  fileName?: string;
}): ScheduleStore {
  const connection = sqliteConnection(path.join(path.resolve(dir), fileName), prepare);
  const { use } = connection;
  const recordOf = (row: Row) => JSON.parse(String(row.record)) as Schedule;

  return {
    async create(schedule) {
      assertJobId(schedule.id);
      use((_, sql) =>
        sql.insert.run(schedule.id, schedule.version, schedule.nextRunAt, JSON.stringify(schedule)),
      );
    },
    async get(id) {
      assertJobId(id);
      const row = use((_, sql) => sql.get.get(id) as Row | undefined);
      return row ? recordOf(row) : undefined;
    },
    async list({ limit = 20, cursor } = {}) {
      if (cursor !== undefined) assertJobId(cursor);
      const rows = use((_, sql) => sql.page.all(cursor ?? '', limit + 1) as Row[]);
      const schedules = rows.slice(0, limit).map(recordOf);
      return rows.length > limit ? { schedules, nextCursor: schedules.at(-1)!.id } : { schedules };
    },
    async due(now, limit) {
      return use((_, sql) => sql.due.all(now, limit) as Row[]).map(recordOf);
    },
    async replace(next, expectedVersion) {
      assertJobId(next.id);
      const { changes } = use((_, sql) =>
        sql.replace.run(next.version, next.nextRunAt, JSON.stringify(next), next.id, expectedVersion),
      );
      return changes === 1;
    },
    async remove(id) {
      assertJobId(id);
      return use((_, sql) => sql.remove.run(id)).changes === 1;
    },
    async count() {
      return Number((use((_, sql) => sql.count.get()) as Row).n);
    },
    async close() {
      connection.close();
    },
  };
}
