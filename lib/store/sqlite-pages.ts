import type Database from 'libsql';
import { assertJobId } from '../jobs/job-id';
import type { JobRecord } from '../jobs/job-record';
import type { JobPage, ListQuery } from '../jobs/job-store';
import type { Statements } from './sqlite-statements';

type Row = Record<string, unknown>;
type Use = <T>(fn: (db: Database.Database, sql: Statements) => T) => T;

/** The SQLite adapter's pages of jobs: the newest-first list (by status, by key) and pending callbacks. */
export function sqlitePages(use: Use) {
  async function list(query: ListQuery = {}): Promise<JobPage> {
    const limit = query.limit ?? 20;
    if (query.cursor !== undefined) assertJobId(query.cursor);
    // Ids are UUID v7: their order is their creation order. 'g' sorts after every id.
    const cursor = query.cursor ?? 'g';
    const { status, concurrencyKey: key } = query;
    const rows = use(
      (_, sql) =>
        (key !== undefined
          ? status
            ? sql.listKeyStatus.all(key, status, cursor, limit + 1)
            : sql.listKey.all(key, cursor, limit + 1)
          : status
            ? sql.listStatus.all(status, cursor, limit + 1)
            : sql.listAll.all(cursor, limit + 1)) as Row[],
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

  return { list, pendingCallbacks };
}
