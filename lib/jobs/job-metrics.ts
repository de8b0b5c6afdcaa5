import type { Config } from '../config';
import type { Logger } from '../logger';
import type { JobRecord } from './job-record';

/**
 * What CloudWatch is told of each job that finishes, once, where it finishes: by the consumer, or by
 * the HTTP cancel of a job that had not started (the consumer then ignores its message).
 */
export interface JobMetrics {
  finished(job: JobRecord): void;
}

/**
 * The CloudWatch metrics writer when CLOUDWATCH_METRICS is on (deployed), none otherwise. Powertools
 * Metrics is loaded only where its lines are wanted, not at every start.
 */
export async function loadJobMetrics(
  config: Pick<Config, 'cloudWatchMetrics' | 'stage'>,
): Promise<JobMetrics | undefined> {
  if (!config.cloudWatchMetrics) return undefined;
  const { cloudWatchJobMetrics } = await import('./cloudwatch-job-metrics');
  return cloudWatchJobMetrics({ serviceName: `spawn-queue-${config.stage}` });
}

/** Tells `metrics` of a finished job; a failure to is logged, never the job's. */
export function recordFinished(
  metrics: JobMetrics | undefined,
  job: JobRecord,
  log: Pick<Logger, 'warn'>,
): void {
  try {
    metrics?.finished(job);
  } catch (error) {
    log.warn({ event: 'metrics-failed', err: error }, 'could not emit the job metrics');
  }
}
