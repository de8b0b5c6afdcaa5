import { JOB_STATUSES } from '../jobs/job-record';
import { MEMORY_BUCKETS_BYTES, TOTAL_BUCKETS_SECONDS } from '../jobs/job-statistics';
import type { BytesHistogram, FinishedTotals, TotalHistogram } from '../jobs/job-statistics';
import type { Percentiles } from './percentiles';
import type { QueueStats } from './queue-stats';

/**
 * The queue statistics (the same store statistics GET /api/queue-stats answers, never one process's
 * memory) in Prometheus' text exposition format, version 0.0.4.
 */

type Sample = [labels: Record<string, string>, value: number];

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function family(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const text = Object.entries(labels)
      .map(([key, v]) => `${key}="${escape(v)}"`)
      .join(',');
    lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
  }
  return lines.join('\n');
}

/** A Prometheus histogram: cumulative `_bucket{le}` counts, `_sum` in seconds and `_count`. */
function histogram(name: string, help: string, totals: TotalHistogram): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  let cumulative = 0;
  for (const le of [...TOTAL_BUCKETS_SECONDS.map(String), '+Inf']) {
    cumulative += totals.buckets[le] ?? 0;
    lines.push(`${name}_bucket{le="${le}"} ${cumulative}`);
  }
  lines.push(`${name}_sum ${totals.sumMs / 1000}`, `${name}_count ${totals.count}`);
  return lines.join('\n');
}

/** A Prometheus histogram of byte figures per task: one `_bucket{task,le}` series set per task. */
function bytesHistogram(name: string, help: string, byTask: Record<string, BytesHistogram>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const [task, totals] of Object.entries(byTask).sort(([a], [b]) => a.localeCompare(b))) {
    let cumulative = 0;
    for (const le of [...MEMORY_BUCKETS_BYTES.map(String), '+Inf']) {
      cumulative += totals.buckets[le] ?? 0;
      lines.push(`${name}_bucket{task="${escape(task)}",le="${le}"} ${cumulative}`);
    }
    lines.push(
      `${name}_sum{task="${escape(task)}"} ${totals.sum}`,
      `${name}_count{task="${escape(task)}"} ${totals.count}`,
    );
  }
  return lines.join('\n');
}

const QUANTILES: Array<[keyof Percentiles, string]> = [
  ['p50', '0.5'],
  ['p95', '0.95'],
  ['p99', '0.99'],
];

const seconds = (percentiles: Percentiles): Sample[] =>
  QUANTILES.map(([key, quantile]) => [
    { quantile },
    percentiles[key] === null ? NaN : percentiles[key]! / 1000,
  ]);

/**
 * `totals` (the store's all-time counters) adds finished jobs per task and status and the wait and
 * run time histograms, which a scraper can rate and aggregate over any window.
 */
export function renderPrometheus(stats: QueueStats, totals?: FinishedTotals): string {
  const allTime = totals
    ? [
        family(
          'spawn_queue_jobs_finished_by_task_total',
          'counter',
          'Jobs that reached a final status, by task and status, since the store was made.',
          totals.byTask.map(({ task, status, count }) => [{ task, status }, count]),
        ),
        histogram(
          'spawn_queue_job_wait_duration_seconds',
          'Time from queued (or a delayed job’s time) to started, of every finished job.',
          totals.waitMs,
        ),
        histogram(
          'spawn_queue_job_run_duration_seconds',
          'Run time of every finished job that started.',
          totals.runMs,
        ),
        family(
          'spawn_queue_job_cpu_seconds_total',
          'counter',
          'CPU time (user + system) of every process of the finished jobs, by task.',
          Object.entries(totals.cpuMsByTask)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([task, ms]) => [{ task }, ms / 1000]),
        ),
        bytesHistogram(
          'spawn_queue_job_peak_memory_bytes',
          'Peak memory of each finished job (of the whole job under a cgroup, else of its first process), by task.',
          totals.peakMemoryByTask,
        ),
      ]
    : [];
  return `${[
    family(
      'spawn_queue_jobs',
      'gauge',
      'Stored jobs by status.',
      JOB_STATUSES.map((status) => [{ status }, stats.jobs[status]]),
    ),
    family(
      'spawn_queue_jobs_finished_total',
      'counter',
      'Stored jobs that reached a final status (succeeded, failed, timed_out, cancelled, expired).',
      [[{}, stats.processPool.totalProcessed]],
    ),
    family('spawn_queue_jobs_retrying', 'gauge', 'Jobs waiting for their next attempt after a failed one.', [
      [{}, stats.retrying],
    ]),
    family('spawn_queue_queue_messages', 'gauge', 'Messages in the queues, by queue and state.', [
      [{ queue: 'jobs', state: 'visible' }, stats.queue.visible],
      [{ queue: 'jobs', state: 'in_flight' }, stats.queue.inFlight],
      [{ queue: 'jobs', state: 'delayed' }, stats.queue.delayed],
      [{ queue: 'dead_letters', state: 'visible' }, stats.queue.deadLetter],
    ]),
    family('spawn_queue_slots', 'gauge', 'Task processes that may run at once.', [
      [{}, stats.maxConcurrency],
    ]),
    family('spawn_queue_slots_busy', 'gauge', 'Task processes running now (attempts with a live lease).', [
      [{}, stats.processPool.activeProcesses],
    ]),
    family('spawn_queue_finished_per_minute', 'gauge', 'Jobs finished per minute over the last 15 minutes.', [
      [{}, stats.throughput.last15Minutes],
    ]),
    family(
      'spawn_queue_job_wait_seconds',
      'gauge',
      'Time from queued to started of the jobs finished in the last 15 minutes, by quantile.',
      seconds(stats.waitMs),
    ),
    family(
      'spawn_queue_job_run_seconds',
      'gauge',
      'Run time of the jobs finished in the last 15 minutes, by quantile.',
      seconds(stats.runMs),
    ),
    ...allTime,
  ].join('\n')}\n`;
}
