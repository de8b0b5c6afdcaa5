import parsePrometheus from 'parse-prometheus-text-format';
import { renderPrometheus } from '../../../lib/stats/prometheus';
import type { QueueStats } from '../../../lib/stats/queue-stats';

const stats: QueueStats = {
  processPool: {
    activeProcesses: 3,
    queuedTasks: 7,
    totalProcessed: 120,
    peakQueueSize: 40,
    utilizationPercent: 62.5,
  },
  maxConcurrency: 4,
  queue: { visible: 7, inFlight: 3, delayed: 1, deadLetter: 2 },
  retrying: 1,
  throughput: { lastMinute: 10, last5Minutes: 9.5, last15Minutes: 8.25, perMinute: [] },
  waitMs: { p50: 12, p95: 250, p99: 1200 },
  runMs: { p50: null, p95: null, p99: null },
  jobs: {
    scheduled: 0,
    queued: 8,
    running: 3,
    succeeded: 100,
    failed: 15,
    timed_out: 3,
    cancelled: 2,
    expired: 0,
  },
  running: [],
  concurrencyKeys: [],
  concurrencyKeyCount: 0,
  generatedAt: '2026-12-02T00:00:00.000Z',
};

type Family = {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value: string }>;
};

describe('renderPrometheus', () => {
  const families = () => parsePrometheus(renderPrometheus(stats)) as Family[];
  const family = (name: string) => families().find((f) => f.name === name)!;

  it('is text a Prometheus parser reads, every family typed and described', () => {
    const names = families().map((f) => f.name);
    expect(names).toEqual([
      'spawn_queue_jobs',
      'spawn_queue_jobs_finished_total',
      'spawn_queue_jobs_retrying',
      'spawn_queue_queue_messages',
      'spawn_queue_slots',
      'spawn_queue_slots_busy',
      'spawn_queue_finished_per_minute',
      'spawn_queue_job_wait_seconds',
      'spawn_queue_job_run_seconds',
    ]);
    expect(family('spawn_queue_jobs_finished_total').type).toBe('COUNTER');
  });

  it('carries the queue statistics: jobs by status, depth, dead letters, slots, quantiles in seconds', () => {
    expect(family('spawn_queue_jobs').metrics).toContainEqual({
      labels: { status: 'timed_out' },
      value: '3',
    });
    expect(family('spawn_queue_queue_messages').metrics).toContainEqual({
      labels: { queue: 'dead_letters', state: 'visible' },
      value: '2',
    });
    expect(family('spawn_queue_slots_busy').metrics).toEqual([{ value: '3' }]);
    expect(family('spawn_queue_job_wait_seconds').metrics).toContainEqual({
      labels: { quantile: '0.99' },
      value: '1.2',
    });
    // Nothing measured yet: NaN, as Prometheus clients write an empty quantile.
    expect(family('spawn_queue_job_run_seconds').metrics[0]!.value).toBe('NaN');
  });

  it('adds the all-time totals: finished jobs per task and status, and cumulative wait and run histograms', () => {
    const text = renderPrometheus(stats, {
      byTask: [
        { task: 'echo', status: 'succeeded', count: 90 },
        { task: 'fail', status: 'failed', count: 15 },
      ],
      waitMs: { buckets: { '0.005': 50, '0.1': 40, '+Inf': 15 }, sumMs: 123_456, count: 105 },
      runMs: { buckets: {}, sumMs: 0, count: 0 },
      cpuMsByTask: { echo: 1500, fail: 250 },
      peakMemoryByTask: {
        echo: {
          buckets: { [String(1024 * 1024)]: 80, [String(4 * 1024 * 1024)]: 10 },
          sum: 95_000_000,
          count: 90,
        },
      },
      runMsByTask: {},
    });
    const parsed = parsePrometheus(text) as Array<Family & { metrics: Array<Record<string, unknown>> }>;
    const byName = (name: string) => parsed.find((f) => f.name === name)!;
    expect(byName('spawn_queue_jobs_finished_by_task_total').metrics).toEqual([
      { labels: { task: 'echo', status: 'succeeded' }, value: '90' },
      { labels: { task: 'fail', status: 'failed' }, value: '15' },
    ]);
    const wait = byName('spawn_queue_job_wait_duration_seconds');
    expect(wait.type).toBe('HISTOGRAM');
    expect(wait.metrics[0]).toMatchObject({
      buckets: expect.objectContaining({
        '0.005': '50',
        '0.01': '50',
        '0.1': '90',
        '1800': '90',
        '+Inf': '105',
      }),
      count: '105',
      sum: '123.456',
    });
    expect(byName('spawn_queue_job_run_duration_seconds').metrics[0]).toMatchObject({ count: '0' });
    expect(byName('spawn_queue_job_cpu_seconds_total').metrics).toEqual([
      { labels: { task: 'echo' }, value: '1.5' },
      { labels: { task: 'fail' }, value: '0.25' },
    ]);
    const memory = byName('spawn_queue_job_peak_memory_bytes');
    expect(memory.type).toBe('HISTOGRAM');
    expect(memory.metrics[0]).toMatchObject({
      buckets: expect.objectContaining({
        [String(1024 * 1024)]: '80',
        [String(4 * 1024 * 1024)]: '90',
        '+Inf': '90',
      }),
    });
    // (the parser drops a histogram's labels other than le: the lines themselves)
    expect(text).toContain('spawn_queue_job_peak_memory_bytes_count{task="echo"} 90');
    expect(text).toContain('spawn_queue_job_peak_memory_bytes_bucket{task="echo",le="1048576"} 80');
  });
});
