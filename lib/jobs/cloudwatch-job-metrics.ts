import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { JobMetrics } from './job-metrics';

/**
 * CloudWatch metrics in the embedded metric format (Powertools Metrics): one log line per finished
 * job, which CloudWatch turns into `JobsFinished` (count), `WaitTime`, `RunTime` and `CpuTime` (ms)
 * and `PeakMemory` (bytes) by task and status, with no call to CloudWatch's API on the job's path. Deployed only; the local stack keeps
 * its log free of them (CLOUDWATCH_METRICS).
 */
export function cloudWatchJobMetrics(
  options: { namespace?: string; serviceName?: string; metrics?: Metrics } = {},
): JobMetrics {
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: options.namespace ?? 'spawn-queue',
      serviceName: options.serviceName ?? 'spawn-queue',
    });
  return {
    finished(job) {
      // All in one synchronous step: concurrent invocations of one process never mix their dimensions.
      metrics.addDimensions({ task: job.task, status: job.status });
      metrics.addMetric('JobsFinished', MetricUnit.Count, 1);
      if (job.waitMs !== undefined) metrics.addMetric('WaitTime', MetricUnit.Milliseconds, job.waitMs);
      if (job.startedAt && job.runMs !== undefined) {
        metrics.addMetric('RunTime', MetricUnit.Milliseconds, job.runMs);
      }
      if (job.usage) {
        metrics.addMetric('CpuTime', MetricUnit.Milliseconds, job.usage.cpuMs);
        metrics.addMetric('PeakMemory', MetricUnit.Bytes, job.usage.peakMemoryBytes);
      }
      metrics.publishStoredMetrics();
    },
  };
}
