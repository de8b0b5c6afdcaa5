import { emptyMinute, MINUTE_MS } from '../jobs/job-statistics';
import type { FinishedMinute } from '../jobs/job-store';
import type { Statements } from './sqlite-statements';

type Row = Record<string, unknown>;

/** How often a process that has waiters looks for jobs other processes finished. */
const FINISH_POLL_MS = 50;

/**
 * Jobs finished by other processes: while this process has waiters, it looks every 50 ms whether
 * the database changed (`PRAGMA data_version`, a read of one page header) and, if so, reads the
 * finish events past the last one it saw. Nothing runs while nobody waits. `notify` tells this
 * process's own waiters of a job it finished itself.
 */
export function createFinishWatch(use: <T>(fn: (db: unknown, sql: Statements) => T) => T) {
  const finishedListeners = new Set<(id: string) => void>();
  const notify = (id: string) => {
    for (const listener of finishedListeners) listener(id);
  };
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

  return {
    notify,
    onFinished,
    stop() {
      if (poller) clearInterval(poller);
      poller = undefined;
      finishedListeners.clear();
    },
  };
}

/** The finished-minute rows and histogram buckets read, as minutes overlapping [fromMs, toMs], oldest first. */
export function minutesOf(minutes: Row[], buckets: Row[], fromMs: number, toMs: number): FinishedMinute[] {
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
