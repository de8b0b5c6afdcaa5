/** p50 / p95 / p99 of a latency, in ms; nulls when there is nothing to measure. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
