import { StoreFullError, StoreUnavailableError } from './store-errors';

/** SQLite's own error codes, as libsql reports them. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What a failed SQLite call means for a client: out of space, busy or unreachable, or a bug. */
export function translate(error: unknown): unknown {
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_FULL') || (error as NodeJS.ErrnoException)?.code === 'ENOSPC') {
    return new StoreFullError({ cause: error });
  }
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|READONLY|CORRUPT|NOTADB)/.test(code)) {
    return new StoreUnavailableError(`the job store cannot be used (${code})`, { cause: error });
  }
  return error;
}
