import type { JobRecord } from './job-record';
import type { FinishedMinute } from './job-store';

/**
 * What the store keeps of finished jobs for the statistics: one aggregate per minute, never the jobs
 * themselves. This module says what one finish adds to those aggregates; each adapter only adds it
 * up (SQLite: upserts in the finishing transaction; DynamoDB: ADD updates). lib/stats reads them.
 */
export const MINUTE_MS = 60_000;
/** The statistics look back 15 minutes; a run is spread over at most this many minutes before its end. */
export const BUSY_MINUTES_KEPT = 16;

/**
 * A latency histogram small enough to keep per minute in any store: bucket → count, where a bucket is
 * the value rounded up to two significant digits (exact below 100 ms, within 10 % above). Merging is
 * adding counts, so minutes written by different workers combine without reading any job.
 */
export type Histogram = Record<string, number>;

/** The bucket (its upper bound, in ms) that a value falls in. */
export function bucketOf(ms: number): number {
  const value = Math.max(0, Math.ceil(ms));
  if (value < 100) return value;
  const step = 10 ** (String(value).length - 2);
  return Math.ceil(value / step) * step;
}

export function addToHistogram(histogram: Histogram, ms: number, count = 1): void {
  const bucket = String(bucketOf(ms));
  histogram[bucket] = (histogram[bucket] ?? 0) + count;
}

export function mergeHistograms(histograms: Histogram[]): Histogram {
  const merged: Histogram = {};
  for (const histogram of histograms) {
    for (const [bucket, count] of Object.entries(histogram)) merged[bucket] = (merged[bucket] ?? 0) + count;
  }
  return merged;
}

export function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

export function emptyMinute(minuteMs: number): FinishedMinute {
  return { minuteMs, finished: 0, busyMs: 0, waitMs: {}, runMs: {} };
}

/** The run [startMs, endMs] cut at minute boundaries: [minuteMs, ms inside it], oldest first. */
export function busyByMinute(startMs: number, endMs: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  const first = Math.max(minuteStart(startMs), minuteStart(endMs) - (BUSY_MINUTES_KEPT - 1) * MINUTE_MS);
  for (let minute = first; minute <= endMs; minute += MINUTE_MS) {
    const ms = Math.min(endMs, minute + MINUTE_MS) - Math.max(startMs, minute);
    if (ms > 0) parts.push([minute, ms]);
  }
  return parts;
}

/**
 * The fixed buckets (upper bounds, in seconds) of the all-time wait and run time histograms, as
 * Prometheus histograms have them: cumulative from the first finish on, never pruned.
 */
export const TOTAL_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600, 1800,
];

/** The all-time bucket a value falls in: the label of the first bound at or above it, `+Inf` past all. */
export function totalBucketOf(ms: number): string {
  const bound = TOTAL_BUCKETS_SECONDS.find((le) => ms <= le * 1000);
  return bound === undefined ? '+Inf' : String(bound);
}

/** One all-time histogram: a count per bucket (not cumulated), the sum and the count. */
export interface TotalHistogram {
  buckets: Record<string, number>;
  sumMs: number;
  count: number;
}

/** The fixed buckets (upper bounds, in bytes) of the all-time peak memory histograms, per task. */
export const MEMORY_BUCKETS_BYTES = [1, 4, 16, 64, 256, 1024, 4096].map((mb) => mb * 1024 * 1024);

export function memoryBucketOf(bytes: number): string {
  const bound = MEMORY_BUCKETS_BYTES.find((le) => bytes <= le);
  return bound === undefined ? '+Inf' : String(bound);
}

/** A histogram of byte figures: a count per bucket (not cumulated), the sum and the count. */
export interface BytesHistogram {
  buckets: Record<string, number>;
  sum: number;
  count: number;
}

/** What the store keeps of every finished job since it was made: never pruned, one row or item. */
export interface FinishedTotals {
  /** Finished jobs per task and final status. */
  byTask: Array<{ task: string; status: string; count: number }>;
  waitMs: TotalHistogram;
  runMs: TotalHistogram;
  /** CPU time (ms) of the finished jobs of each task that ran (their usage). */
  cpuMsByTask: Record<string, number>;
  /** Peak memory of the finished jobs of each task that ran. */
  peakMemoryByTask: Record<string, BytesHistogram>;
  /** Run time of the finished jobs of each task that ran: its sum and count (the ETA's mean). */
  runMsByTask: Record<string, { sumMs: number; count: number }>;
}

/**
 * One finish's share of the all-time totals, as named counters to add to: `task|<task>|<status>`,
 * `wait|<le>`, `wait|sum`, `wait|count`, and the same for `run`.
 */
export function totalsShareOf(record: JobRecord): Array<[name: string, add: number]> {
  const share: Array<[string, number]> = [[`task|${record.task}|${record.status}`, 1]];
  if (record.waitMs !== undefined) {
    share.push(
      [`wait|${totalBucketOf(record.waitMs)}`, 1],
      ['wait|sum', Math.round(record.waitMs)],
      ['wait|count', 1],
    );
  }
  if (record.startedAt && record.runMs !== undefined) {
    share.push(
      [`run|${totalBucketOf(record.runMs)}`, 1],
      ['run|sum', Math.round(record.runMs)],
      ['run|count', 1],
      [`taskrun|${record.task}|sum`, Math.round(record.runMs)],
      [`taskrun|${record.task}|count`, 1],
    );
  }
  if (record.usage) {
    const task = record.task;
    share.push(
      [`cpu|${task}`, Math.round(record.usage.cpuMs)],
      [`mem|${task}|${memoryBucketOf(record.usage.peakMemoryBytes)}`, 1],
      [`mem|${task}|sum`, Math.round(record.usage.peakMemoryBytes)],
      [`mem|${task}|count`, 1],
    );
  }
  return share;
}

/** The totals from their named counters (see {@link totalsShareOf}). */
export function totalsOf(counters: Iterable<[string, number]>): FinishedTotals {
  const totals: FinishedTotals = {
    byTask: [],
    waitMs: { buckets: {}, sumMs: 0, count: 0 },
    runMs: { buckets: {}, sumMs: 0, count: 0 },
    cpuMsByTask: {},
    peakMemoryByTask: {},
    runMsByTask: {},
  };
  for (const [name, value] of counters) {
    const [kind, a, b] = name.split('|');
    if (kind === 'task' && a !== undefined && b !== undefined)
      totals.byTask.push({ task: a, status: b, count: value });
    else if (kind === 'cpu' && a !== undefined) totals.cpuMsByTask[a] = value;
    else if (kind === 'taskrun' && a !== undefined) {
      const run = (totals.runMsByTask[a] ??= { sumMs: 0, count: 0 });
      if (b === 'sum') run.sumMs = value;
      else if (b === 'count') run.count = value;
    } else if (kind === 'mem' && a !== undefined && b !== undefined) {
      const histogram = (totals.peakMemoryByTask[a] ??= { buckets: {}, sum: 0, count: 0 });
      if (b === 'sum') histogram.sum = value;
      else if (b === 'count') histogram.count = value;
      else histogram.buckets[b] = value;
    } else if (kind === 'wait' || kind === 'run') {
      const histogram = kind === 'wait' ? totals.waitMs : totals.runMs;
      if (a === 'sum') histogram.sumMs = value;
      else if (a === 'count') histogram.count = value;
      else if (a !== undefined) histogram.buckets[a] = value;
    }
  }
  totals.byTask.sort((x, y) => x.task.localeCompare(y.task) || x.status.localeCompare(y.status));
  return totals;
}

/** What one finished job adds to the per-minute aggregates. */
export interface FinishShares {
  finishedAtMs: number;
  /** The minute it finished in: one more finished job, and a wait and a run bucket one more each. */
  minuteMs: number;
  waitBucket?: number;
  runBucket?: number;
  /** Its run time spread over the minutes it ran in: [minuteMs, busy ms]. */
  busy: Array<[number, number]>;
}

export function finishSharesOf(record: JobRecord): FinishShares {
  const finishedAtMs = record.finishedAt ? Date.parse(record.finishedAt) : Date.now();
  const startedAtMs = record.startedAt ? Date.parse(record.startedAt) : undefined;
  const started = startedAtMs !== undefined;
  return {
    finishedAtMs,
    minuteMs: minuteStart(finishedAtMs),
    ...(record.waitMs !== undefined ? { waitBucket: bucketOf(record.waitMs) } : {}),
    ...(started && record.runMs !== undefined ? { runBucket: bucketOf(record.runMs) } : {}),
    busy: started ? busyByMinute(startedAtMs, finishedAtMs) : [],
  };
}
