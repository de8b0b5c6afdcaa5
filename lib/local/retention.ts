import type { JobStore } from '../jobs/job-store';

/** Jobs removed per transaction: a batch holds SQLite's write lock a few milliseconds. */
export const RETENTION_BATCH = 100;

/**
 * Retention for the local store (DynamoDB has its TTL): jobs that finished more than
 * `retentionDays` ago are removed with all that belongs to them, in batches of
 * {@link RETENTION_BATCH} with a pause between, soon after start and then every `intervalMs`.
 * Statistics already counted stay counted. `onPruned` hears of each sweep that removed anything.
 */
export function startRetention(options: {
  store: Pick<JobStore, 'pruneFinished'>;
  retentionDays: number;
  firstAfterMs?: number;
  intervalMs?: number;
  pauseMs?: number;
  onPruned?: (count: number) => void;
  onError?: (error: unknown) => void;
}): { sweep(): Promise<number>; stop(): Promise<void> } {
  const { store, retentionDays, intervalMs = 60_000, pauseMs = 20 } = options;
  let stopped = false;
  let running: Promise<number> | undefined;

  async function sweepOnce(): Promise<number> {
    const before = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
    let total = 0;
    for (;;) {
      const removed = await store.pruneFinished(before, RETENTION_BATCH);
      total += removed;
      if (removed < RETENTION_BATCH || stopped) break;
      // Between batches other writers take the lock.
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    if (total > 0) options.onPruned?.(total);
    return total;
  }

  const sweep = () =>
    (running ??= sweepOnce().finally(() => {
      running = undefined;
    }));
  const tick = () => {
    if (!stopped) sweep().catch((error: unknown) => options.onError?.(error));
  };
  const first = setTimeout(tick, options.firstAfterMs ?? 10_000);
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
