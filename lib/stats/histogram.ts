import type { Histogram } from '../jobs/job-statistics';
import type { Percentiles } from './percentiles';

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
