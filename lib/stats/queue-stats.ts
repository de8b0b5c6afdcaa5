import { isFinal, JOB_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import type { JobQueue, QueueDepth } from '../queue/job-queue';
import type { FinishedMinute, JobStore } from '../jobs/job-store';
import type { KeyLoad } from '../jobs/concurrency-keys';
import { MINUTE_MS as MINUTE, mergeHistograms } from '../jobs/job-statistics';
import { histogramPercentiles } from './histogram';
import type { Percentiles } from './percentiles';

const WINDOW_MINUTES = 15;
const PEAK_META = 'peak-queue-size';

/** GET /api/queue-stats. Every number comes from SQS and the shared job store, never from one process. */
export interface QueueStats {
  /** The original Express design's fields, same names. */
  processPool: {
    activeProcesses: number;
    queuedTasks: number;
    totalProcessed: number;
    peakQueueSize: number;
    utilizationPercent: number;
  };
  maxConcurrency: number;
  queue: QueueDepth;
  /** Queued jobs waiting out a retry's backoff before their next attempt. */
  retrying: number;
  /** Jobs finished per minute, averaged over each window. */
  throughput: {
    lastMinute: number;
    last5Minutes: number;
    last15Minutes: number;
    perMinute: Array<{ minute: string; finished: number }>;
  };
  waitMs: Percentiles;
  runMs: Percentiles;
  jobs: Record<JobStatus, number>;
  /** Running jobs with a live attempt (its runner renewed its lease); at most `maxConcurrency`. */
  running: Array<{
    jobId: string;
    task: string;
    concurrencyKey: string | null;
    startedAt: string | null;
    elapsedMs: number;
  }>;
  /**
   * The live jobs by concurrency key (keyed jobs only): running, and queued and due; the
   * {@link MAX_KEYS_SHOWN} keys with the most jobs queued.
   */
  concurrencyKeys: Array<{ concurrencyKey: string; running: number; queued: number }>;
  /** How many keys have live jobs (all of them, however many are shown). */
  concurrencyKeyCount: number;
  generatedAt: string;
}

const MAX_KEYS_SHOWN = 50;

/** The load by key and task, summed by key: the most queued first. */
function keysOf(load: KeyLoad[]): Pick<QueueStats, 'concurrencyKeys' | 'concurrencyKeyCount'> {
  const byKey = new Map<string, { concurrencyKey: string; running: number; queued: number }>();
  for (const row of load) {
    if (row.key === null) continue;
    const entry = byKey.get(row.key) ?? { concurrencyKey: row.key, running: 0, queued: 0 };
    entry.running += row.running;
    entry.queued += row.waiting;
    byKey.set(row.key, entry);
  }
  const keys = [...byKey.values()].sort((a, b) => b.queued - a.queued || b.running - a.running);
  return { concurrencyKeys: keys.slice(0, MAX_KEYS_SHOWN), concurrencyKeyCount: keys.length };
}

export interface QueueStatsOptions {
  store: JobStore;
  queue: JobQueue;
  maxConcurrency: number;
  now?: number;
}

/** Milliseconds of [start, end] that fall inside [from, to]. */
function overlapMs(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}

/**
 * A minute's share of a window: the part of the minute (up to `now`, as it holds nothing later) that
 * lies inside [from, now]. Exact for whole minutes; a minute cut by `from` counts in proportion.
 */
function share(minute: FinishedMinute, from: number, now: number): number {
  const end = Math.min(minute.minuteMs + MINUTE, now);
  const span = end - minute.minuteMs;
  return span <= 0 ? 0 : overlapMs(minute.minuteMs, end, from, now) / span;
}

function sumOver(minutes: FinishedMinute[], from: number, now: number, field: 'finished' | 'busyMs'): number {
  return minutes.reduce((sum, minute) => sum + minute[field] * share(minute, from, now), 0);
}

/**
 * Running jobs whose attempt is alive: its claim's lease, renewed by its runner while the process
 * runs, has not run out. A record left `running` by a runner that died is not a process.
 */
async function liveAttempts(store: JobStore, now: number): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ status: 'running', limit: 100, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  const claims = await Promise.all(jobs.map((job) => store.readClaim(job.id, job.attempts)));
  return jobs.filter((_, i) => {
    const claim = claims[i];
    return claim !== undefined && claim.kind === 'run' && Date.parse(claim.leaseUntil) > now;
  });
}

/**
 * The highest queue depth ever seen, kept in the store so it survives restarts and is shared by
 * every worker; raised whenever anyone looks at the queue.
 */
export async function observePeak(store: JobStore, visible: number): Promise<number> {
  const stored = (await store.readMeta<{ value: number }>(PEAK_META))?.value ?? 0;
  if (visible <= stored) return stored;
  await store.writeMeta(PEAK_META, { value: visible, at: new Date().toISOString() });
  return visible;
}

export async function computeQueueStats({
  store,
  queue,
  maxConcurrency,
  now = Date.now(),
}: QueueStatsOptions): Promise<QueueStats> {
  const windowStart = now - WINDOW_MINUTES * MINUTE;
  const [depth, counts, minutes, running, retrying, load] = await Promise.all([
    queue.depth(),
    store.countByStatus(),
    store.finishedByMinute(windowStart, now),
    liveAttempts(store, now),
    store.countRetrying(),
    store.keyLoad(),
  ]);
  const peakQueueSize = await observePeak(store, depth.visible);
  const currentMinute = now - (now % MINUTE);
  const perMinute = Array.from({ length: WINDOW_MINUTES }, (_, i) => {
    const minuteMs = currentMinute - (WINDOW_MINUTES - 1 - i) * MINUTE;
    return {
      minute: new Date(minuteMs).toISOString().slice(0, 16),
      finished: minutes.find((m) => m.minuteMs === minuteMs)?.finished ?? 0,
    };
  });
  const rate = (finished: number, minutes: number) => Math.round((finished / minutes) * 100) / 100;
  let busy = sumOver(minutes, now - MINUTE, now, 'busyMs');
  for (const job of running) {
    if (job.startedAt) busy += overlapMs(Date.parse(job.startedAt), now, now - MINUTE, now);
  }
  const utilization = (busy / (maxConcurrency * MINUTE)) * 100;
  const inWindow = minutes.filter((minute) => share(minute, windowStart, now) > 0);

  return {
    processPool: {
      activeProcesses: running.length,
      queuedTasks: depth.visible,
      totalProcessed: JOB_STATUSES.filter(isFinal).reduce((sum, s) => sum + counts[s], 0),
      peakQueueSize,
      utilizationPercent: Math.min(100, Math.round(utilization * 10) / 10),
    },
    maxConcurrency,
    queue: depth,
    retrying,
    throughput: {
      lastMinute: rate(sumOver(minutes, now - MINUTE, now, 'finished'), 1),
      last5Minutes: rate(sumOver(minutes, now - 5 * MINUTE, now, 'finished'), 5),
      last15Minutes: rate(sumOver(minutes, windowStart, now, 'finished'), WINDOW_MINUTES),
      perMinute,
    },
    waitMs: histogramPercentiles(mergeHistograms(inWindow.map((minute) => minute.waitMs))),
    runMs: histogramPercentiles(mergeHistograms(inWindow.map((minute) => minute.runMs))),
    jobs: counts,
    running: running.map((job) => ({
      jobId: job.id,
      task: job.task,
      concurrencyKey: job.concurrencyKey ?? null,
      startedAt: job.startedAt ?? null,
      elapsedMs: job.startedAt ? Math.max(0, now - Date.parse(job.startedAt)) : 0,
    })),
    ...keysOf(load),
    generatedAt: new Date(now).toISOString(),
  };
}

/**
 * Samples the queue depth into the stored peak at most once per `intervalMs`, so the peak is right
 * even when nobody watches the stats during a burst. Failures are ignored: it is a statistic.
 */
export function createPeakSampler({
  store,
  queue,
  intervalMs = 2000,
}: {
  store: JobStore;
  queue: JobQueue;
  intervalMs?: number;
}) {
  let last = 0;
  return async function sample(): Promise<void> {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    try {
      await observePeak(store, (await queue.depth()).visible);
    } catch {
      // the next sample will try again
    }
  };
}
