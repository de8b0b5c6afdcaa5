import type { Config } from '../config';
import { reconcileQueue } from '../jobs/reconcile-queue';
import type { JobQueue } from '../queue/job-queue';
import type { JobStore } from '../jobs/job-store';
import { fireDueSchedules } from '../schedules/fire-schedules';
import type { ScheduleStore } from '../schedules/schedule-store';
import type { Catalogue } from '../tasks/catalogue';
import type { Logger } from '../logger';
import { startRetention } from './retention';
import { reasonOf } from '../reason-of';

interface Firing {
  store: ScheduleStore;
  catalogue: Catalogue;
  log: Pick<Logger, 'info' | 'warn'>;
}

/**
 * What the local stack keeps doing beside serving jobs, as a deployed stack's schedule and TTL do:
 * jobs whose message the jobs queue lost are sent again and the changes the final counts missed
 * are counted (every `reconcileIntervalMs`, 60 s: a stranded job waits two minutes at most), the
 * SQLite store's finished jobs past JOB_RETENTION_DAYS are removed (DynamoDB expires them by TTL),
 * and the schedules fire (every `fireIntervalMs`, 1 s: a job starts within a second or two of its
 * fire time). Each does what it did in one line.
 */
export function startMaintenance(options: {
  config: Pick<Config, 'jobStore' | 'jobRetentionDays'>;
  /** The stack's store and jobs queue (it closes neither). */
  store: JobStore;
  queue: JobQueue;
  /** The schedules to fire and the catalogue their jobs are checked against (absent: none fire). */
  schedules?: Firing;
  say: (line: string) => void;
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  fireIntervalMs?: number;
}): { stop(): Promise<void> } {
  const { config, store, queue, say } = options;
  const firing =
    options.schedules && startFiring(options.schedules, { store, queue, say }, options.fireIntervalMs);
  const retention =
    config.jobStore === 'sqlite'
      ? startRetention({
          store,
          retentionDays: config.jobRetentionDays,
          onPruned: (count) =>
            say(
              `removed ${count} job(s) finished more than ${config.jobRetentionDays} days ago (JOB_RETENTION_DAYS)`,
            ),
          onError: (error) => say(`retention: ${reasonOf(error)}`),
        })
      : undefined;
  const every = options.reconcileIntervalMs ?? 60_000;
  const reconciler = repeat(every, async () => {
    await reconcileQueue({ store, queue }, { graceMs: options.reconcileGraceMs ?? every }).then(
      ({ sent, deadLettered }) => {
        if (sent > 0) say(`the jobs queue had lost messages: sent ${sent} waiting job(s) again`);
        if (deadLettered > 0) {
          say(`failed ${deadLettered} waiting job(s) whose message is in the dead-letter queue`);
        }
      },
      (error: unknown) => say(`reconcile: ${reasonOf(error)}`),
    );
    await store.settleCounts().then(
      ({ counted }) => {
        if (counted > 0)
          say(`the final counts had missed ${counted} change(s) (a write failed): counted now`);
      },
      (error: unknown) => say(`counts: ${reasonOf(error)}`),
    );
  });
  return {
    async stop() {
      await Promise.all([retention?.stop(), reconciler.stop(), firing?.stop()]);
    },
  };
}

/** `pass` every `everyMs`, one at a time (a pass still running skips its turn); it must not reject. */
function repeat(everyMs: number, pass: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= pass().finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The schedules' firing pass every `everyMs` (lib/schedules/fire-schedules.ts). */
function startFiring(
  schedules: Firing,
  { store, queue, say }: { store: JobStore; queue: JobQueue; say: (line: string) => void },
  everyMs = 1000,
) {
  let lastError = '';
  const fire = () =>
    fireDueSchedules({
      schedules: schedules.store,
      store,
      queue,
      catalogue: schedules.catalogue,
      log: schedules.log,
    }).then(
      ({ missed }) => {
        lastError = '';
        if (missed > 0) say(`schedules: ${missed} fire time(s) passed while the stack was down; not run`);
      },
      (error: unknown) => {
        // Once per outage, not every second.
        const reason = reasonOf(error);
        if (reason !== lastError) say(`schedules: ${reason}`);
        lastError = reason;
      },
    );
  return repeat(everyMs, fire);
}
