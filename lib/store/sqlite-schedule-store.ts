import path from 'node:path';
import type Database from 'libsql';
import { assertJobId } from '../jobs/job-id';
import type { Schedule } from '../schedules/schedule';
import type { ScheduleStore } from '../schedules/schedule-store';
import { translate } from './sqlite-errors';
import { openDatabase } from './sqlite-schema';
import { StoreUnavailableError } from './store-errors';

type Row = Record<string, unknown>;

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
  const file = path.join(path.resolve(dir), fileName);
  let db: Database.Database | undefined;

  function use<T>(fn: (db: Database.Database) => T): T {
    try {
      db ??= openDatabase(file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`the job store's database cannot be opened: ${reason}`, {
        cause: error,
      });
    }
    try {
      return fn(db);
    } catch (error) {
      throw translate(error);
    }
  }

  const recordOf = (row: Row) => JSON.parse(String(row.record)) as Schedule;

  return {
    async create(schedule) {
      assertJobId(schedule.id);
      use((database) =>
        database
          .prepare('INSERT INTO schedules (id, version, next_run_at, record) VALUES (?, ?, ?, ?)')
          .run(schedule.id, schedule.version, schedule.nextRunAt, JSON.stringify(schedule)),
      );
    },
    async get(id) {
      assertJobId(id);
      const row = use((database) => database.prepare('SELECT record FROM schedules WHERE id = ?').get(id)) as
        Row | undefined;
      return row ? recordOf(row) : undefined;
    },
    async list({ limit = 20, cursor } = {}) {
      if (cursor !== undefined) assertJobId(cursor);
      const rows = use((database) =>
        database
          .prepare('SELECT id, record FROM schedules WHERE id > ? ORDER BY id LIMIT ?')
          .all(cursor ?? '', limit + 1),
      ) as Row[];
      const schedules = rows.slice(0, limit).map(recordOf);
      return rows.length > limit ? { schedules, nextCursor: schedules.at(-1)!.id } : { schedules };
    },
    async due(now, limit) {
      const rows = use((database) =>
        database
          .prepare(
            'SELECT record FROM schedules WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?',
          )
          .all(now, limit),
      ) as Row[];
      return rows.map(recordOf);
    },
    async replace(next, expectedVersion) {
      assertJobId(next.id);
      const { changes } = use((database) =>
        database
          .prepare(
            'UPDATE schedules SET version = ?, next_run_at = ?, record = ? WHERE id = ? AND version = ?',
          )
          .run(next.version, next.nextRunAt, JSON.stringify(next), next.id, expectedVersion),
      );
      return changes === 1;
    },
    async remove(id) {
      assertJobId(id);
      return use((database) => database.prepare('DELETE FROM schedules WHERE id = ?').run(id)).changes === 1;
    },
    async count() {
      const row = use((database) => database.prepare('SELECT COUNT(*) AS n FROM schedules').get()) as Row;
      return Number(row.n);
    },
    async close() {
      db?.close();
      db = undefined;
    },
  };
}
