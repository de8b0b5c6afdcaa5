import { isFinal, JOB_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import type { FinishedEventTimes, JobStore } from '../jobs/job-store';
import type { JobQueue, QueueDepth } from '../queue/job-queue';
import { percentiles } from './percentiles';
import type { Percentiles } from './percentiles';

const MINUTE = 60_000;
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
  running: Array<{ jobId: string; task: string; startedAt: string | null; elapsedMs: number }>;
  generatedAt: string;
}

export interface QueueStatsOptions {
  store: JobStore;
  queue: JobQueue;
  maxConcurrency: number;
  now?: number;
}

/** Seconds of [start, end] that fall inside [from, to]. */
function overlapMs(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}

function busyMs(events: FinishedEventTimes[], running: JobRecord[], from: number, to: number): number {
  let total = 0;
  for (const event of events) {
    if (event.startedAtMs === undefined) continue;
    total += overlapMs(event.startedAtMs, event.finishedAtMs, from, to);
  }
  for (const job of running) {
    if (job.startedAt) total += overlapMs(Date.parse(job.startedAt), to, from, to);
  }
  return total;
}

async function runningJobs(store: JobStore): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ status: 'running', limit: 100, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
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
  const [depth, counts, events, running] = await Promise.all([
    queue.depth(),
    store.countByStatus(),
    store.finishedSince(windowStart, now),
    runningJobs(store),
  ]);
  const peakQueueSize = await observePeak(store, depth.visible);
  // One pass: events per minute bucket (oldest first), and the last minute's events.
  const currentMinute = now - (now % MINUTE);
  const buckets = new Array<number>(WINDOW_MINUTES).fill(0);
  const lastMinute: FinishedEventTimes[] = [];
  let inLast5 = 0;
  for (const event of events) {
    const bucket =
      WINDOW_MINUTES -
      1 -
      Math.floor((currentMinute - (event.finishedAtMs - (event.finishedAtMs % MINUTE))) / MINUTE);
    if (bucket >= 0 && bucket < WINDOW_MINUTES) buckets[bucket]! += 1;
    if (event.finishedAtMs >= now - MINUTE) lastMinute.push(event);
    if (event.finishedAtMs >= now - 5 * MINUTE) inLast5 += 1;
  }
  const rate = (finished: number, minutes: number) => Math.round((finished / minutes) * 100) / 100;
  const utilization = (busyMs(lastMinute, running, now - MINUTE, now) / (maxConcurrency * MINUTE)) * 100;
  const perMinute = buckets.map((finished, i) => ({
    minute: new Date(currentMinute - (WINDOW_MINUTES - 1 - i) * MINUTE).toISOString().slice(0, 16),
    finished,
  }));

  return {
    processPool: {
      activeProcesses: counts.running,
      queuedTasks: depth.visible,
      totalProcessed: JOB_STATUSES.filter(isFinal).reduce((sum, s) => sum + counts[s], 0),
      peakQueueSize,
      utilizationPercent: Math.min(100, Math.round(utilization * 10) / 10),
    },
    maxConcurrency,
    queue: depth,
    throughput: {
      lastMinute: rate(lastMinute.length, 1),
      last5Minutes: rate(inLast5, 5),
      last15Minutes: rate(events.length, WINDOW_MINUTES),
      perMinute,
    },
    waitMs: percentiles(events.flatMap((e) => (e.waitMs === undefined ? [] : [e.waitMs]))),
    runMs: percentiles(
      events.flatMap((e) => (e.runMs === undefined || e.startedAtMs === undefined ? [] : [e.runMs])),
    ),
    jobs: counts,
    running: running.map((job) => ({
      jobId: job.id,
      task: job.task,
      startedAt: job.startedAt ?? null,
      elapsedMs: job.startedAt ? Math.max(0, now - Date.parse(job.startedAt)) : 0,
    })),
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
