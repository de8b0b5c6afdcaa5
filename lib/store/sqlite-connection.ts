import type Database from 'libsql';
import { translate } from './sqlite-errors';
import { openDatabase } from './sqlite-schema';
import { StoreFullError, StoreUnavailableError } from './store-errors';

/** One process's connection to the database file, opened on first use with its statements prepared once. */
export interface SqliteConnection<S> {
  /** Runs `fn` against the database; SQLite's failures become the store's own errors. */
  use<T>(fn: (db: Database.Database, sql: S) => T): T;
  close(): void;
}

export function sqliteConnection<S>(
  file: string,
  prepare: (db: Database.Database) => S,
): SqliteConnection<S> {
  let opened: { db: Database.Database; sql: S } | undefined;

  function open(): { db: Database.Database; sql: S } {
    if (opened) return opened;
    const db = openDatabase(file);
    try {
      opened = { db, sql: prepare(db) };
      return opened;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  return {
    use(fn) {
      let connection: { db: Database.Database; sql: S };
      try {
        connection = open();
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
        return fn(connection.db, connection.sql);
      } catch (error) {
        throw translate(error);
      }
    },
    close() {
      opened?.db.close();
      opened = undefined;
    },
  };
}
