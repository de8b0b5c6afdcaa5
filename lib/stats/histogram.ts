import type { Percentiles } from './percentiles';

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

/** Nearest-rank percentiles of the bucketed values; nulls when there is nothing to measure. */
export function histogramPercentiles(histogram: Histogram): Percentiles {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return { p50: null, p95: null, p99: null };
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (seen >= rank) return bucket;
    }
    return buckets.at(-1)![0];
  };
  return { p50: at(50), p95: at(95), p99: at(99) };
}
